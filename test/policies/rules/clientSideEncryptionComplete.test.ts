/**
 * `backup-client-side-encryption-complete` (policies/rules/clientSideEncryptionComplete.ts): the
 * prod plan broken in the ways it guards against.
 */
import { editJson, remove } from "../fixtures/plans";
import { named, addStatement, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "the host role loses its client-side encryption policy",
    fails: ["backup-client-side-encryption-complete"],
    says: "no identity policy allows ssm:GetParameter on the passphrase parameter",
    mutate: (p) => remove(p, named(p, "db-hosts-prod-db-1-client-side-encryption")),
  },
  {
    title: "the hosts may read every parameter",
    fails: ["backup-client-side-encryption-complete", "backup-host-credentials-bound"],
    says: "grant the passphrase parameter only",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-client-side-encryption"), {
        Sid: "ReadAll",
        Effect: "Allow",
        Action: "ssm:GetParameter",
        Resource: "arn:aws:ssm:us-east-1:123456789012:parameter/*",
      }),
  },
  {
    title: "the passphrase's key may be used for decryption outside SSM",
    fails: ["backup-client-side-encryption-complete"],
    says: "no identity policy allows kms:Decrypt through SSM",
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-client-side-encryption"), "policy", (doc) => {
        // In both regions: the replica's copy of the passphrase is read the same way.
        for (const s of doc.Statement.filter((st: { Sid: string }) =>
          st.Sid.endsWith("CipherPassThroughSsm"),
        ))
          delete s.Condition.StringEquals["kms:ViaService"];
      }),
  },
  {
    title: "data keys are granted without the stack's encryption context",
    fails: ["backup-client-side-encryption-complete"],
    says: "kms:EncryptionContext:stellar-backup-stack",
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-client-side-encryption"), "policy", (doc) => {
        const s = doc.Statement.find(
          (st: { Sid: string }) => st.Sid === "EnvelopeEncryptOwnBackups",
        );
        delete s.Condition.StringEquals["kms:EncryptionContext:stellar-backup-stack"];
      }),
  },
];

describeMutations(cases);
