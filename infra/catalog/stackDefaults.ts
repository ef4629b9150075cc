/**
 * What a stack gets for every config key it leaves out, and the fixed names the stack derives from
 * its config: the runbook's values. Stack config validation (infra/config/validate.ts) applies and
 * checks against them; content and components read them from here. Pure module: no Pulumi import.
 */
import type { BackupTypeKey } from "./backupTypes";
import type { EngineConfigInputs } from "./engines/descriptor";
import type { HostConfig } from "./hostConfig";

export interface HostTarget {
  /** EC2 tag key that marks the database hosts (SSM targets, DLM snapshots). */
  readonly tagKey: string;
  readonly tagValue: string;
}

/** When an alarm pages: the runbook's alert limits, validated against the catalog. */
export interface Thresholds {
  /** Age of the newest full PostgreSQL backup that pages (runbook: 24 h); the other rows page at their RPO. */
  readonly backupAgeHours: number;
  /** Minutes since the last archived WAL segment that page (runbook: 15 min). */
  readonly walArchiveLagMinutes: number;
  /** Use of the file system holding the local copies that pages (runbook: 80 %). */
  readonly diskUsagePercent: number;
  /** Consecutive 5-minute health-check periods a figure must breach before it pages. */
  readonly evaluationPeriods: number;
  /** Restore-test duration that pages; the runbook names no RTO, so no alarm unless set. */
  readonly restoreTestRtoMinutes?: number;
}

/** The runbook's alert limits ("Backup Alerts"), before stack overrides. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  backupAgeHours: 24,
  walArchiveLagMinutes: 15,
  diskUsagePercent: 80,
  // Two consecutive health checks (10 minutes): one odd sample does not wake anyone.
  evaluationPeriods: 2,
};

export const DEFAULT_BUCKET_NAME = "stellar-insights-backups";
/** Suffix of the access-log bucket's name; the backup bucket's name must leave room for it. */
export const ACCESS_LOG_BUCKET_SUFFIX = "-access-logs";
export const DEFAULT_ACCESS_LOG_RETENTION_DAYS = 365;

export const SUPPORTED_PG_MAJOR_VERSIONS = [12, 13, 14, 15, 16, 17] as const;
/** The runbook's hosts run PostgreSQL 14 (`/var/lib/postgresql/14/main`). */
export const DEFAULT_PG_MAJOR_VERSION = 14;
export const defaultPgData = (majorVersion: number) => `/var/lib/postgresql/${majorVersion}/main`;
/** Root of the local copies the runbook keeps. */
export const DEFAULT_LOCAL_BACKUP_ROOT = "/var/backups";
export const DEFAULT_TIMEZONE = "UTC";
export const DEFAULT_HOST_TARGET: HostTarget = {
  tagKey: "stellar-insights:backup-role",
  tagValue: "database",
};

/** Days the S3 lifecycle backstop outlives the PostgreSQL engine's window by default. */
export const DEFAULT_POSTGRES_BACKSTOP_MARGIN_DAYS = 30;
/** The backstop must outlive the engine's window by a full-backup cycle plus a cleanup cycle. */
export const MIN_POSTGRES_BACKSTOP_MARGIN_DAYS = 7;

/**
 * Days the PostgreSQL engine keeps in S3: the longer of the `postgres` and `wal` rows. The engines
 * keep WAL only back to the oldest kept full backup (older WAL has nothing to replay onto), so
 * point-in-time recovery reaches `wal` days back only when the full backups are kept that long too.
 * This is the stack's `postgresRetention` output and the engines' expire window.
 */
export function postgresRetentionDays(
  retentionDays: Readonly<Record<BackupTypeKey, number>>,
): number {
  return Math.max(retentionDays.postgres, retentionDays.wal);
}

/**
 * The engine's expire window per repository, in days, from a host config: `s3` is
 * `postgresRetentionDays` of its rows, `local` its local copies' `postgres` days (the runbook
 * keeps WAL in S3 only, so the local window is the full backups' own).
 */
export function engineRetentionDays(
  config: Pick<HostConfig, "retentionDays" | "local">,
): EngineConfigInputs["retentionDays"] {
  return {
    s3: postgresRetentionDays(config.retentionDays),
    local: config.local.retentionDays.postgres,
  };
}
