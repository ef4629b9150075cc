/**
 * `backup-host-credentials-bound` (policies/rules/hostCredentialsBound.ts): the prod plan broken in
 * the ways it guards against.
 */
import { editJson, remove } from "../fixtures/plans";
import { named, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "a host role carries AmazonSSMManagedInstanceCore again",
    fails: ["backup-host-credentials-bound"],
    says: "db-hosts-prod-db-1-ssm-core attaches arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore, which reads every SSM parameter",
    mutate: (p) =>
      p.resources.push({
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "db-hosts-prod-db-1-ssm-core",
        parent: "db-hosts",
        inputs: {
          role: "db-hosts-prod-db-1-role",
          policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        },
      }),
  },
  {
    title: "the SSM agent's policy reads every parameter",
    fails: ["backup-client-side-encryption-complete", "backup-host-credentials-bound"],
    says: "statement 'SsmAgentCore' allows ssm:getparameter, ssm:getparameters on *",
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-ssm-agent"), "policy", (doc) => {
        const s = doc.Statement.find((st: { Sid: string }) => st.Sid === "SsmAgentCore");
        s.Action.push("ssm:GetParameter", "ssm:GetParameters");
      }),
  },
  {
    title: "a host may seal envelopes claiming any host",
    fails: ["backup-host-credentials-bound"],
    says: "allows kms:GenerateDataKey for envelopes and has no StringEquals condition on kms:encryptioncontext:stellar-backup-host",
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-client-side-encryption"), "policy", (doc) => {
        const s = doc.Statement.find(
          (st: { Sid: string }) => st.Sid === "EnvelopeEncryptOwnBackups",
        );
        delete s.Condition.StringEquals["kms:EncryptionContext:stellar-backup-host"];
      }),
  },
  {
    title: "a host may open every host's envelopes",
    fails: ["backup-host-credentials-bound"],
    says: "allows kms:Decrypt of envelopes and has no StringEquals condition on kms:encryptioncontext:stellar-backup-host",
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-client-side-encryption"), "policy", (doc) => {
        const s = doc.Statement.find(
          (st: { Sid: string }) => st.Sid === "EnvelopeDecryptRestorableBackups",
        );
        delete s.Condition.StringEquals["kms:EncryptionContext:stellar-backup-host"];
      }),
  },
  {
    title: "a host's envelope grant names a host the stack does not have",
    fails: ["backup-host-credentials-bound"],
    says: 'binds kms:encryptioncontext:stellar-backup-host to ["*"], not to hosts of the stack (prod-db-1)',
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-client-side-encryption"), "policy", (doc) => {
        const s = doc.Statement.find(
          (st: { Sid: string }) => st.Sid === "EnvelopeEncryptOwnBackups",
        );
        s.Condition.StringEquals["kms:EncryptionContext:stellar-backup-host"] = "*";
      }),
  },
  {
    title: "the key alias the hosts resolve is gone",
    fails: ["backup-client-side-encryption-complete"],
    says: "names the KMS alias alias/stellar-insights-backups-envelopes, but the stack creates no such alias",
    mutate: (p) => {
      // In both regions: the replica's alias has the same name.
      remove(p, named(p, "envelope-key-alias"));
      remove(p, named(p, "envelope-key-replica-alias"));
    },
  },
  {
    title: "the Redis restore accepts plaintext backups by default",
    fails: ["backup-client-side-encryption-complete"],
    says: 'defaults AllowPlaintext to "yes"',
    mutate: (p) =>
      editJson(named(p, "host-plane-doc-redis-restore"), "content", (doc) => {
        doc.parameters.AllowPlaintext.default = "yes";
      }),
  },
];

describeMutations(cases);
