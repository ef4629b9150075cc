/**
 * Metric names and dimensions shared by the host jobs (which publish them) and the control plane
 * (which alarms and draws dashboards on them). A name lives here once so the two can never drift.
 */

/** Default CloudWatch namespace; stack config `metricNamespace` may override it. */
export const DEFAULT_METRIC_NAMESPACE = "StellarInsights/Backup";

export const Dimension = {
  /** The job that ran (a `JobKey`). */
  job: "Job",
  /** The catalog row a figure is about (a `BackupTypeKey`). */
  backupType: "BackupType",
  /**
   * The host that published the figure (`hostIdOf(config)`: the host config's `hostId`, else the
   * short host name), on every datum a host job publishes: without it one silent host is hidden by
   * a healthy one, because CloudWatch merges data with equal dimensions into one series.
   */
  host: "Host",
} as const;

export const Metric = {
  /**
   * 1 when a run succeeded, 0 when it failed; published by every job on every run. A run refused
   * for bad parameters (exit 64, nothing done) is not a run and publishes no run metric.
   */
  jobSucceeded: "JobSucceeded",
  /** 1 when a run failed, 0 otherwise: summed, it counts failures. */
  jobFailed: "JobFailed",
  /** Wall-clock seconds of a run, failed runs included. */
  jobDurationSeconds: "JobDurationSeconds",
  /**
   * 1 per run, whatever the outcome: its absence means the job did not run at all (a run refused
   * for bad parameters, exit 64, sends none).
   */
  jobHeartbeat: "JobHeartbeat",
  /**
   * 1 when a run found the job's lock held by a live run and did nothing (exit 75). Not a failure
   * and not a heartbeat: a run stuck for longer than its heartbeat window still pages through
   * the silence it causes, while an overlap that resolves itself pages nobody.
   */
  jobSkippedBusy: "JobSkippedBusy",
  /** Bytes a backup run wrote to S3. */
  backupBytes: "BackupBytes",
  /**
   * Published by pg-backup only where the stack reads backups from a standby: 1 when the run read
   * the primary instead (the standby could not be read from), 0 when it read the standby.
   */
  standbyFallback: "StandbyFallback",
  /** Seconds since the newest complete backup of a row finished. */
  backupAgeSeconds: "BackupAgeSeconds",
  /** 1 when a real request to the backup bucket succeeded, 0 otherwise. */
  s3Reachable: "S3Reachable",
  /** Percentage used of the file system that holds the local backup copies. */
  diskUsagePercent: "BackupDiskUsagePercent",
  /** Seconds since PostgreSQL last archived a WAL segment successfully. */
  walArchiveLagSeconds: "WalArchiveLagSeconds",
  /** WAL segments that failed to archive since the previous health check. */
  walArchiveFailedCount: "WalArchiveFailedCount",
  /**
   * 1 when the archiver is stuck: its last attempt failed, nothing was archived since, and that
   * segment still waits; 0 otherwise.
   */
  walArchiveStuck: "WalArchiveStuck",
  /** Percentage used of the file system that holds PostgreSQL's pg_wal. */
  pgWalDiskUsagePercent: "PgWalDiskUsagePercent",
  /** Seconds since Redis last saved its dump successfully. */
  redisLastSaveAgeSeconds: "RedisLastSaveAgeSeconds",
  /** Seconds the weekly restore test took from fetch to a queryable database. */
  restoreTestRtoSeconds: "RestoreTestRtoSeconds",
  /**
   * Seconds since a job last finished a run (any outcome), published by the health check with the
   * `Job` dimension. A CloudWatch alarm looks back at most 7 days, so a weekly job's silence cannot
   * be caught from its own heartbeats; this figure, refreshed every few minutes, can.
   */
  jobLastRunAgeSeconds: "JobLastRunAgeSeconds",
} as const;

export type MetricName = (typeof Metric)[keyof typeof Metric];

/** Metrics every job publishes on every run, with the `Job` dimension. */
export const JOB_RUN_METRICS: readonly MetricName[] = [
  Metric.jobSucceeded,
  Metric.jobFailed,
  Metric.jobDurationSeconds,
  Metric.jobHeartbeat,
];
