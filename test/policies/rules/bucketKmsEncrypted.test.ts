/**
 * `backup-bucket-kms-encrypted` (policies/rules/bucketKmsEncrypted.ts): the prod plan broken in the
 * ways it guards against.
 */
import { onBucket, remove } from "../fixtures/plans";
import { T, BACKUPS, REPLICA, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "the backup bucket encrypts with SSE-S3",
    fails: ["backup-bucket-kms-encrypted"],
    says: 'encrypts with "AES256" instead of SSE-KMS',
    mutate: (p) => {
      const rule = onBucket(p, T.encryption, BACKUPS).inputs.rules[0]
        .applyServerSideEncryptionByDefault;
      rule.sseAlgorithm = "AES256";
      delete rule.kmsMasterKeyId;
    },
  },
  {
    title: "the backup bucket uses SSE-KMS without a key of its own",
    fails: ["backup-bucket-kms-encrypted"],
    says: "without kmsMasterKeyId",
    mutate: (p) =>
      delete onBucket(p, T.encryption, BACKUPS).inputs.rules[0].applyServerSideEncryptionByDefault
        .kmsMasterKeyId,
  },
  {
    title: "the backup bucket's encryption configuration is removed",
    fails: ["backup-bucket-kms-encrypted"],
    says: "has no server-side encryption configuration",
    mutate: (p) => remove(p, onBucket(p, T.encryption, BACKUPS)),
  },
  {
    title: "the replica encrypts with SSE-S3",
    fails: ["backup-bucket-kms-encrypted"],
    says: "encryption of replica bucket 'stellar-insights-backups-replica' encrypts with \"AES256\"",
    mutate: (p) =>
      (onBucket(p, T.encryption, REPLICA).inputs.rules = [
        { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ]),
  },
];

describeMutations(cases);
