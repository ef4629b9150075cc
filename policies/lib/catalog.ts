/**
 * What the catalog (infra/catalog) expects of any stack of this project, in the terms the policies
 * check. Derived, never restated: a new catalog row or job is checked without touching a policy.
 */
import {
  BACKUP_TYPE_KEYS,
  BUCKET_ROLE_TAG,
  BucketRole,
  BACKUP_TYPES,
  Metric,
  type BackupType,
  type MetricName,
} from "../../infra/catalog";

export { BUCKET_ROLE_TAG, BucketRole };

export function catalogRows(): BackupType[] {
  return BACKUP_TYPE_KEYS.map((key) => BACKUP_TYPES[key]);
}

/** Rows whose S3 objects S3 lifecycle expires. */
export function lifecycleOwnedRows(): BackupType[] {
  return catalogRows().filter((row) => row.s3 !== undefined && row.retentionOwner === "lifecycle");
}

/** Rows whose S3 objects the PostgreSQL engine's expire removes; a lifecycle rule there is only a backstop. */
export function engineOwnedRows(): BackupType[] {
  return catalogRows().filter((row) => row.s3 !== undefined && row.retentionOwner === "engine");
}

/** The distinct S3 prefixes the PostgreSQL engine owns (the `postgres` and `wal` rows share one). */
export function enginePrefixes(): string[] {
  return [...new Set(engineOwnedRows().map((row) => row.s3?.prefix ?? ""))].sort();
}

/** Rows kept as EBS snapshots by a DLM policy. */
export function dlmOwnedRows(): BackupType[] {
  return catalogRows().filter((row) => row.retentionOwner === "dlm");
}

/**
 * Metrics that say how old a row's newest backup is, in order of preference: a backup job's age, or
 * for continuous WAL archiving the archiver's lag. Their growth past the RPO is what must page.
 */
const FRESHNESS_METRICS: readonly MetricName[] = [
  Metric.backupAgeSeconds,
  Metric.walArchiveLagSeconds,
];

export function freshnessMetric(row: BackupType): MetricName | undefined {
  return FRESHNESS_METRICS.find((metric) => row.metrics.includes(metric));
}
