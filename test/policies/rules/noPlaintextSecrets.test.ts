/**
 * `backup-no-plaintext-secrets` (policies/rules/noPlaintextSecrets.ts): the prod plan broken in the
 * ways it guards against.
 */
import { editJson } from "../fixtures/plans";
import { T, named, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "the shipped host config carries the repository passphrase",
    fails: ["backup-no-plaintext-secrets"],
    says: "input 'content' holds a repository passphrase in plain text",
    mutate: (p) =>
      editJson(named(p, "host-plane-artifact-host-config"), "content", (config) => {
        config.repositoryCipherPass = "correct-horse-battery-staple-0123456789";
      }),
  },
  {
    title: "a job document exports pgBackRest's cipher passphrase",
    fails: ["backup-no-plaintext-secrets"],
    says: "holds a pgBackRest cipher passphrase in plain text",
    mutate: (p) =>
      editJson(named(p, "host-plane-doc-pg-backup"), "content", (doc) => {
        doc.mainSteps[0].inputs.runCommand.unshift(
          "export PGBACKREST_REPO1_CIPHER_PASS=s3cr3t-value",
        );
      }),
  },
  {
    title: "the passphrase parameter is created by the stack as a String",
    fails: ["backup-no-plaintext-secrets"],
    says: "is named like a secret but is a String",
    mutate: (p) =>
      p.resources.push({
        type: T.ssmParameter,
        name: "cipher-pass",
        parent: null,
        inputs: {
          name: "/stellar-insights-backups/postgres-repository-cipher-pass",
          type: "String",
        },
      }),
  },
];

describeMutations(cases);
