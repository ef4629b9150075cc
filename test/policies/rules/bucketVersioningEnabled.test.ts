/**
 * `backup-bucket-versioning-enabled` (policies/rules/bucketVersioningEnabled.ts): the prod plan
 * broken in the ways it guards against.
 */
import { onBucket, remove } from "../fixtures/plans";
import { T, BACKUPS, REPLICA, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "versioning is suspended",
    fails: ["backup-bucket-versioning-enabled"],
    says: `is "Suspended", not 'Enabled'`,
    mutate: (p) =>
      (onBucket(p, T.versioning, BACKUPS).inputs.versioningConfiguration.status = "Suspended"),
  },
  {
    title: "the versioning resource is removed",
    fails: ["backup-bucket-versioning-enabled"],
    says: "has no versioning configuration",
    mutate: (p) => remove(p, onBucket(p, T.versioning, BACKUPS)),
  },
  {
    title: "the replica's versioning is suspended",
    fails: ["backup-bucket-versioning-enabled"],
    says: "versioning of replica bucket 'stellar-insights-backups-replica' is \"Suspended\"",
    mutate: (p) =>
      (onBucket(p, T.versioning, REPLICA).inputs.versioningConfiguration.status = "Suspended"),
  },
];

describeMutations(cases);
