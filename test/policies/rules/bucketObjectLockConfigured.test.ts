/**
 * `backup-bucket-object-lock-configured` (policies/rules/bucketObjectLockConfigured.ts): the prod
 * plan broken in the ways it guards against.
 */
import { onBucket, remove, type MutablePlan } from "../fixtures/plans";
import { T, BACKUPS, REPLICA, describeMutations, type Case } from "../support/mutations";

/** The default retention of the Object Lock on the bucket with role `role`. */
function lockRetention(plan: MutablePlan, role: string): Record<string, unknown> {
  return onBucket(plan, T.objectLock, role).inputs.rule.defaultRetention;
}

export const cases: Case[] = [
  {
    title: "the backup bucket's lock has no valid mode",
    fails: ["backup-bucket-object-lock-configured"],
    says: 'has mode "LEGAL_HOLD"; allowed: GOVERNANCE, COMPLIANCE',
    mutate: (p) => {
      lockRetention(p, BACKUPS).mode = "LEGAL_HOLD";
      lockRetention(p, REPLICA).mode = "LEGAL_HOLD";
    },
  },
  {
    title: "the backup bucket is locked 45 days, past the 30-day retention of the shortest rows",
    fails: ["backup-bucket-object-lock-configured"],
    says: "keeps every version 45 days, longer than the 30-day retention of 'postgres'",
    mutate: (p) => {
      lockRetention(p, BACKUPS).days = 45;
      lockRetention(p, REPLICA).days = 45;
    },
  },
  {
    title: "the backup bucket's lock has no default retention",
    fails: ["backup-bucket-object-lock-configured"],
    says: "has no default retention: new backups are not locked",
    mutate: (p) => delete onBucket(p, T.objectLock, BACKUPS).inputs.rule,
  },
  {
    title: "the replica's lock is removed while the backup bucket stays locked",
    fails: ["backup-bucket-object-lock-configured"],
    says: "replica bucket 'stellar-insights-backups-replica' has no Object Lock while the backup bucket is locked",
    mutate: (p) => remove(p, onBucket(p, T.objectLock, REPLICA)),
  },
  {
    title: "the replica is locked in COMPLIANCE mode while the primary is GOVERNANCE",
    fails: ["backup-bucket-object-lock-configured"],
    says: "(COMPLIANCE, 14 days) differs from the backup bucket's (GOVERNANCE, 14 days)",
    mutate: (p) => (lockRetention(p, REPLICA).mode = "COMPLIANCE"),
  },
];

describeMutations(cases);
