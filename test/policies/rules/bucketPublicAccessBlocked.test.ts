/**
 * `backup-bucket-public-access-blocked` (policies/rules/bucketPublicAccessBlocked.ts): the prod
 * plan broken in the ways it guards against.
 */
import { onBucket, remove } from "../fixtures/plans";
import {
  T,
  BACKUPS,
  ACCESS_LOGS,
  REPLICA,
  describeMutations,
  type Case,
} from "../support/mutations";

export const cases: Case[] = [
  ...(
    ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const
  ).map((flag): Case => ({
    title: `the backup bucket's public access block turns ${flag} off`,
    fails: ["backup-bucket-public-access-blocked"],
    says: `leaves ${flag} off`,
    mutate: (p) => (onBucket(p, T.publicAccessBlock, BACKUPS).inputs[flag] = false),
  })),
  {
    title: "the access-log bucket's public access block is removed",
    fails: ["backup-bucket-public-access-blocked"],
    says: "access-logs bucket 'stellar-insights-backups-access-logs' has no public access block",
    mutate: (p) => remove(p, onBucket(p, T.publicAccessBlock, ACCESS_LOGS)),
  },
  {
    title: "the replica's public access block leaves restrictPublicBuckets off",
    fails: ["backup-bucket-public-access-blocked"],
    says: "public access block of replica bucket 'stellar-insights-backups-replica' leaves restrictPublicBuckets off",
    mutate: (p) => (onBucket(p, T.publicAccessBlock, REPLICA).inputs.restrictPublicBuckets = false),
  },
];

describeMutations(cases);
