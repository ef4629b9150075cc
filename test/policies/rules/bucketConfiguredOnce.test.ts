/**
 * `backup-bucket-configured-once` (policies/rules/bucketConfiguredOnce.ts): the prod plan broken in
 * the ways it guards against.
 */
import { bucketWithRole, onBucket, ROLE_TAG } from "../fixtures/plans";
import { T, BACKUPS, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "the backup bucket gets a second versioning resource",
    fails: ["backup-bucket-configured-once"],
    says: "has 2 BucketVersioning resources",
    mutate: (p) =>
      p.resources.push({
        ...structuredClone(onBucket(p, T.versioning, BACKUPS)),
        name: "fixture-second-versioning",
      }),
  },
  {
    title: "the backup bucket loses its role tag",
    fails: ["backup-bucket-configured-once"],
    says: "found 0",
    mutate: (p) => delete bucketWithRole(p, BACKUPS).inputs.tags[ROLE_TAG],
  },
];

describeMutations(cases);
