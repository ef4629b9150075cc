/**
 * The runbook's "Backup Types" table, plus Redis, as one typed value. Lifecycle rules, schedules,
 * alarms, dashboard widgets, policy expectations and the README's table are derived from it.
 *
 * Pure module: no Pulumi import, so host jobs can bundle it.
 */
import { Metric, type MetricName } from "./metrics";

export const BACKUP_TYPE_KEYS = [
  "postgres",
  "wal",
  "configs",
  "logs",
  "snapshots",
  "redis",
] as const;
export type BackupTypeKey = (typeof BACKUP_TYPE_KEYS)[number];

export type Storage = "s3" | "local" | "git" | "ebs-snapshot";

/** How a backup is taken. */
export type Cadence =
  /** A job runs on an EventBridge Scheduler (or DLM) expression. */
  | { readonly kind: "scheduled"; readonly expression: string }
  /** PostgreSQL's `archive_command` ships each WAL segment as it fills or `archive_timeout` ends. */
  | { readonly kind: "continuous" }
  /** A job checks on a schedule and uploads only when the content changed. */
  | { readonly kind: "onChange"; readonly expression: string };

/** Who deletes old objects under a row's S3 prefix. */
export type RetentionOwner =
  /** S3 lifecycle expiration. */
  | "lifecycle"
  /**
   * The PostgreSQL engine's expire, which knows which WAL a kept base backup needs. A lifecycle
   * rule on these prefixes is only a longer backstop (see `postgresBackstopDays`).
   */
  | "engine"
  /** Not in S3 (EBS snapshots): the DLM policy's retain rule. */
  | "dlm";

export interface BackupType {
  readonly key: BackupTypeKey;
  /** The runbook's name for it. */
  readonly title: string;
  readonly cadence: Cadence;
  /** Runbook retention, in days (4 weeks = 28 days for snapshots). Stack config may override. */
  readonly retentionDays: number;
  /** Recovery point objective: the most data, in seconds, that losing the host may cost. */
  readonly rpoSeconds: number;
  readonly storage: readonly Storage[];
  /**
   * The runbook's S3 prefix, the lifecycle prefix that really exists (they differ for the PostgreSQL engine), and
   * the layout of the objects under it.
   */
  readonly s3?: {
    readonly runbookPrefix: string;
    readonly prefix: string;
    readonly objects: string;
  };
  readonly retentionOwner: RetentionOwner;
  /** Metrics published about this row (with the `BackupType` dimension). */
  readonly metrics: readonly MetricName[];
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * The PostgreSQL engine keeps one repository per host under `postgres/<host>/` so two hosts never
 * mix WAL histories; the runbook's `postgres/full` and `postgres/wal` are the engine's backup and
 * WAL archive folders there (infra/catalog/engines/ names them per engine), both under the one
 * lifecycle prefix `postgres/`.
 */
export const POSTGRES_PREFIX = "postgres/";

export const BACKUP_TYPES: Readonly<Record<BackupTypeKey, BackupType>> = {
  postgres: {
    key: "postgres",
    title: "Database Full",
    cadence: { kind: "scheduled", expression: "cron(0 2 * * ? *)" },
    retentionDays: 30,
    rpoSeconds: 24 * HOUR,
    storage: ["s3", "local"],
    s3: {
      runbookPrefix: "postgres/full/",
      prefix: POSTGRES_PREFIX,
      objects: "postgres/<host>/<engine's backup folder>/",
    },
    retentionOwner: "engine",
    metrics: [Metric.backupBytes, Metric.backupAgeSeconds, Metric.standbyFallback],
  },
  wal: {
    key: "wal",
    title: "Database Incremental (WAL)",
    cadence: { kind: "continuous" },
    retentionDays: 30,
    rpoSeconds: 15 * 60,
    storage: ["s3"],
    s3: {
      runbookPrefix: "postgres/wal/",
      prefix: POSTGRES_PREFIX,
      objects: "postgres/<host>/<engine's WAL archive folder>/",
    },
    retentionOwner: "engine",
    metrics: [
      Metric.walArchiveLagSeconds,
      Metric.walArchiveFailedCount,
      Metric.walArchiveStuck,
      Metric.pgWalDiskUsagePercent,
    ],
  },
  configs: {
    key: "configs",
    title: "Configuration",
    cadence: { kind: "onChange", expression: "cron(15 * * * ? *)" },
    retentionDays: 90,
    rpoSeconds: HOUR,
    storage: ["git", "s3"],
    s3: {
      runbookPrefix: "configs/",
      prefix: "configs/",
      objects: "configs/<host>/<set>/<UTC time>.tar.gz",
    },
    retentionOwner: "lifecycle",
    metrics: [Metric.backupBytes, Metric.backupAgeSeconds],
  },
  logs: {
    key: "logs",
    title: "Application Logs",
    cadence: { kind: "scheduled", expression: "cron(5 * * * ? *)" },
    retentionDays: 30,
    rpoSeconds: HOUR,
    storage: ["s3"],
    s3: { runbookPrefix: "logs/", prefix: "logs/", objects: "logs/<host>/<date>/<file>.gz" },
    retentionOwner: "lifecycle",
    metrics: [Metric.backupBytes, Metric.backupAgeSeconds],
  },
  snapshots: {
    key: "snapshots",
    title: "System Snapshots",
    cadence: { kind: "scheduled", expression: "cron(0 3 ? * SUN *)" },
    retentionDays: 28,
    rpoSeconds: 7 * DAY,
    storage: ["ebs-snapshot"],
    retentionOwner: "dlm",
    metrics: [],
  },
  /*
   * Redis: the runbook keeps local save points (900/1, 300/10, 60/10000) and copies a dated dump to
   * S3 by hand. We ship a dump every hour (RPO 1 h: Redis holds derived, rebuildable data, and an
   * hourly dump costs little) and keep 30 days, as the runbook's cleanup does.
   */
  redis: {
    key: "redis",
    title: "Redis RDB",
    cadence: { kind: "scheduled", expression: "cron(30 * * * ? *)" },
    retentionDays: 30,
    rpoSeconds: HOUR,
    storage: ["s3", "local"],
    s3: { runbookPrefix: "redis/", prefix: "redis/", objects: "redis/<host>/<UTC time>.rdb" },
    retentionOwner: "lifecycle",
    metrics: [Metric.backupBytes, Metric.backupAgeSeconds, Metric.redisLastSaveAgeSeconds],
  },
};

export function isBackupTypeKey(value: string): value is BackupTypeKey {
  return (BACKUP_TYPE_KEYS as readonly string[]).includes(value);
}
