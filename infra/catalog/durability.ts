/**
 * Object Lock and cross-region replication of the backup bucket: their shapes and the rules that
 * relate them to the catalog. Pure module: no Pulumi import (the stack config, the components, the
 * host config and the policy pack read it).
 */
import { BACKUP_TYPE_KEYS, BACKUP_TYPES, type BackupTypeKey } from "./backupTypes";

/**
 * S3 Object Lock retention modes
 * (docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html#object-lock-retention-modes):
 * GOVERNANCE can be shortened or bypassed by a principal holding `s3:BypassGovernanceRetention`;
 * COMPLIANCE by nobody, the account's root user included, until the version's retain-until date.
 */
export const OBJECT_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;
export type ObjectLockMode = (typeof OBJECT_LOCK_MODES)[number];

/** Default retention a new object version gets in a locked bucket. */
export interface ObjectLockSettings {
  readonly mode: ObjectLockMode;
  /** Whole days from the version's creation during which no one can delete or overwrite it. */
  readonly retentionDays: number;
}

export interface ReplicationSettings {
  /** Region of the replica bucket; never the primary's (a lost region must not take both). */
  readonly region: string;
  readonly bucketName: string;
  /**
   * S3 Replication Time Control: 99.99 % of objects replicated within 15 minutes, with replication
   * metrics and the two replication alarms. Costs extra per GB.
   */
  readonly replicationTimeControl: boolean;
}

/** `<bucketName>-replica`, the replica's default name. */
export const REPLICA_BUCKET_SUFFIX = "-replica";

/** RTC's fixed threshold (the only value S3 accepts for `ReplicationTime.Time.Minutes`). */
export const RTC_MINUTES = 15;

/** The S3 action that lets a principal delete or shorten a GOVERNANCE-locked version. */
export const BYPASS_GOVERNANCE_ACTION = "s3:BypassGovernanceRetention";

/** Catalog rows whose objects live in the bucket (and so get its default lock). */
export function bucketRows(): BackupTypeKey[] {
  return BACKUP_TYPE_KEYS.filter((key) => BACKUP_TYPES[key].s3 !== undefined);
}

/**
 * The longest default lock the stack accepts: the shortest retention of a row kept in the bucket.
 * A lock is a floor on how long every version lives, whatever its prefix: a longer one would keep
 * that row's objects past its retention, and the catalog's retention is a promise both ways (logs
 * hold personal data; a row's cost is budgeted on it). So the stack refuses it instead of warning.
 */
export function maxLockDays(retentionDays: Readonly<Record<BackupTypeKey, number>>): {
  readonly days: number;
  readonly row: BackupTypeKey;
} {
  const rows = bucketRows().sort((a, b) => retentionDays[a] - retentionDays[b]);
  return { days: retentionDays[rows[0]], row: rows[0] };
}
