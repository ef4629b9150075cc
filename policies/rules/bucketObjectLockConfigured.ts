import { OBJECT_LOCK_MODES, maxLockDays } from "../../infra/catalog";
import type {
  BucketObjectLockProps,
  ObjectLockRetentionProps,
  ObjectLockRuleProps,
} from "../lib/awsProps";
import {
  attachedTo,
  backupHoldingBucketsOrNotApplicable,
  describeBucket,
  type BucketView,
} from "../lib/buckets";
import { BucketRole } from "../lib/catalog";
import { stackPolicy } from "../lib/define";
import { isUnknown, record } from "../lib/known";
import {
  requiredRetentionDays,
  retentionConfigSchema,
  type RetentionConfig,
} from "../lib/retention";
import type { StackView } from "../lib/stackView";

interface Lock {
  readonly mode: unknown;
  readonly days: unknown;
}

/** The default retention of the bucket's lock configuration(s); [] when it has none. */
function locksOf(view: StackView, bucket: BucketView) {
  return attachedTo(view, bucket, "bucketObjectLock").map((resource) => {
    const props = resource.props as BucketObjectLockProps;
    const rule = record(props.rule) as ObjectLockRuleProps | undefined;
    const retention = record(rule?.defaultRetention) as ObjectLockRetentionProps | undefined;
    return { resource, props, retention };
  });
}

export const bucketObjectLockConfigured = stackPolicy({
  name: "backup-bucket-object-lock-configured",
  description:
    "When the backup bucket is locked, its Object Lock has a default retention in GOVERNANCE or COMPLIANCE " +
    "mode, in whole days, no longer than the shortest retention of a row kept in the bucket (a longer lock " +
    "keeps that row's objects past it), and the replica carries the same lock: a copy an intruder can delete " +
    "is no copy, and S3 will not replicate a locked source into an unlocked bucket.",
  configSchema: retentionConfigSchema,
  validate: (view, args, report) => {
    const buckets = backupHoldingBucketsOrNotApplicable(view, args);
    const locks = new Map(buckets.map((bucket) => [bucket, locksOf(view, bucket)]));
    if ([...locks.values()].every((found) => found.length === 0))
      args.notApplicable("no bucket of the stack has an Object Lock configuration");
    const limit = maxLockDays(requiredRetentionDays(args.getConfig<RetentionConfig>()));

    let primaryLock: Lock | undefined;
    for (const [bucket, found] of locks) {
      for (const { resource, props, retention } of found) {
        const where = `Object Lock of ${describeBucket(bucket)}`;
        const enabled = props.objectLockEnabled;
        if (!isUnknown(enabled) && enabled !== undefined && enabled !== "Enabled")
          report(
            `${where} has objectLockEnabled ${JSON.stringify(enabled)}, not 'Enabled'`,
            resource.resource.urn,
          );
        if (retention === undefined) {
          report(
            `${where} has no default retention: new backups are not locked`,
            resource.resource.urn,
          );
          continue;
        }
        const { mode, days, years } = retention;
        if (!isUnknown(mode) && !(OBJECT_LOCK_MODES as readonly unknown[]).includes(mode))
          report(
            `${where} has mode ${JSON.stringify(mode ?? "not set")}; allowed: ${OBJECT_LOCK_MODES.join(", ")}`,
            resource.resource.urn,
          );
        if (years !== undefined && !isUnknown(years))
          report(
            `${where} counts retention in years; the stack counts it in days`,
            resource.resource.urn,
          );
        else if (!isUnknown(days)) {
          if (typeof days !== "number" || !Number.isInteger(days) || days < 1)
            report(
              `${where} has days ${JSON.stringify(days ?? "not set")}; must be a whole number of days, at least 1`,
              resource.resource.urn,
            );
          else if (days > limit.days)
            report(
              `${where} keeps every version ${days} days, longer than the ${limit.days}-day retention of '${limit.row}': its objects would outlive their retention`,
              resource.resource.urn,
            );
        }
        if (bucket.role === BucketRole.backups) primaryLock = { mode, days };
      }
    }

    if (primaryLock === undefined) return;
    for (const [bucket, found] of locks) {
      if (bucket.role !== BucketRole.replica) continue;
      if (found.length === 0) {
        report(
          `${describeBucket(bucket)} has no Object Lock while the backup bucket is locked: its copies can be deleted`,
          bucket.resource.urn,
        );
        continue;
      }
      for (const { resource, retention } of found) {
        const { mode, days } = retention ?? {};
        if (
          isUnknown(mode) ||
          isUnknown(days) ||
          isUnknown(primaryLock.mode) ||
          isUnknown(primaryLock.days)
        )
          continue;
        if (mode !== primaryLock.mode || days !== primaryLock.days)
          report(
            `Object Lock of ${describeBucket(bucket)} (${String(mode)}, ${String(days)} days) differs from the backup bucket's (${String(primaryLock.mode)}, ${String(primaryLock.days)} days)`,
            resource.resource.urn,
          );
      }
    }
  },
});
