/**
 * `backup-bucket-access-logging` (policies/rules/bucketAccessLogging.ts): the prod plan broken in
 * the ways it guards against.
 */
import { onBucket, remove } from "../fixtures/plans";
import { T, BACKUPS, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "access logging is removed",
    fails: ["backup-bucket-access-logging"],
    says: "has no access logging",
    mutate: (p) => remove(p, onBucket(p, T.logging, BACKUPS)),
  },
  {
    title: "the backup bucket logs into itself",
    fails: ["backup-bucket-access-logging"],
    says: "logs into itself",
    mutate: (p) => {
      const logging = onBucket(p, T.logging, BACKUPS);
      logging.inputs.targetBucket = logging.inputs.bucket;
    },
  },
];

describeMutations(cases);
