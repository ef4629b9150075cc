/**
 * Every alarm of the stack, derived from the catalog, the validated schedules and the thresholds:
 * the runbook's "Backup Alerts" (backup age, backup failures, S3 access, disk use, WAL archive
 * lag), a heartbeat per scheduled job, failed WAL archives, the schedules' dead-letter queue, the
 * snapshot policy's failures and, when the stack sets an RTO, the restore test's duration.
 *
 * Pure: a keyed map (the key is the alarm's identity) of plain definitions. Values AWS assigns at
 * deploy time (the queue's name, the DLM policy's id) are passed through as an opaque `Ref`.
 *
 * Per host: every figure the host jobs publish carries `Host`, and each alarm on one of them
 * watches every host separately through a Metrics Insights query grouped by `Host`
 * (`insightsQueryOf`; why and its limits: infra/catalog/metricsInsights.ts).
 *
 * Liveness: such a query sees only the hosts that published in its window (at most 3 hours), so a
 * host that has been silent longer drops out of it and its alarm returns to OK. Each host the stack
 * knows (stack config `hosts`) therefore has one alarm of its own on the health check's heartbeat, a
 * plain metric with its `Host` fixed and missing data breaching: it pages within the heartbeat
 * window and stays in ALARM for as long as the host is silent, an hour or a week. Cost: one
 * standard-resolution alarm per host, billed per metric it evaluates ($0.10 a month each in
 * us-east-1, CloudWatch pricing), 200 hosts $20 a month. Grouping hosts into one metric-math alarm
 * (`FILL(m, 0)` over each host's metric) saves nothing, as such an alarm is billed per metric too,
 * and is capped at 10 metrics (AWS: alarm-limits.html, "Alarms based on metric math expressions
 * can reference a maximum of 10 metrics").
 */
import {
  BACKUP_TYPE_KEYS,
  BACKUP_TYPES,
  DEFAULT_METRIC_NAMESPACE,
  DEFAULT_SCHEDULES,
  DEFAULT_THRESHOLDS,
  Dimension,
  renderInsightsQuery,
  RTC_MINUTES,
  JOBS,
  SHIPPED_JOB_KEYS,
  Metric,
  describeSeconds,
  parseScheduleExpression,
  type BackupTypeKey,
  type JobKey,
  type ScheduleKey,
  type Thresholds,
} from "../../catalog";
import { describeDuration, heartbeatWatch } from "./heartbeatWatch";

/** One runbook section per kind, `docs/runbook/alarms.md#alarm-<kind>`, says what it means and what to do. */
export const ALARM_KINDS = [
  "backup-age",
  "job-failed",
  "heartbeat",
  "s3-unreachable",
  "disk-usage",
  "wal-archive-lag",
  "wal-archive-failures",
  "wal-archive-stuck",
  "pg-wal-disk-usage",
  "standby-fallback",
  "schedule-dlq",
  "snapshot-failures",
  "restore-test-rto",
  "replication-latency",
  "replication-failures",
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/**
 * The runbook section an alarm's page links to, as a path from the repository root (the form a
 * reader resolves in the repository, and the link test checks): `docs/runbook/alarms.md#alarm-<kind>`.
 */
export function runbookLink(kind: AlarmKind | "command-failed"): string {
  return `docs/runbook/alarms.md#alarm-${kind}`;
}

export type Statistic = "Maximum" | "Minimum" | "Sum";
export type ComparisonOperator =
  "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
/**
 * `breaching`: silence is the trouble (heartbeats). `ignore`: the figure's publisher has its own
 * heartbeat alarm, so silence keeps the last state instead of paging twice or clearing a real
 * alarm. `notBreaching`: AWS stops publishing when all is quiet (idle queues, DLM).
 */
export type MissingData = "breaching" | "ignore" | "notBreaching";

export interface AlarmDefinition<Ref = never> {
  readonly kind: AlarmKind;
  /** What broke, in a sentence, and the runbook section with the fix. */
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  /** The fixed dimensions; with `groupBy`, the query's WHERE clauses. */
  readonly dimensions: Readonly<Record<string, string | Ref>>;
  /**
   * `Host` for figures the host jobs publish: one time series (alarm contributor) per host, through
   * the Metrics Insights query `insightsQueryOf` renders. Absent for AWS's own metrics.
   */
  readonly groupBy?: typeof Dimension.host;
  /**
   * With `groupBy`: this one host's series only, as a plain metric alarm with `groupBy` = `host`
   * among its dimensions. Unlike a query grouped by `Host`, it sees the host's silence.
   */
  readonly host?: string;
  readonly statistic: Statistic;
  readonly comparisonOperator: ComparisonOperator;
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: MissingData;
  /** Minutes a new alarm waits before it may act (alarms that page on silence). */
  readonly warmUpMinutes?: number;
}

export interface AlarmInputs<Ref = never> {
  readonly metricNamespace: string;
  /** Validated schedule expressions. */
  readonly schedules: Readonly<Record<ScheduleKey, string>>;
  readonly timezone: string;
  readonly thresholds: Thresholds;
  /** The schedules' dead-letter queue (`AWS/SQS`, `QueueName`). */
  readonly deadLetterQueueName: string | Ref;
  /** The weekly snapshot policy (`AWS/EBS`, `DLMPolicyId`). */
  readonly snapshotPolicyId: string | Ref;
  /**
   * Every host expected to report, by its id (stack config `hosts`): each gets a liveness alarm of
   * its own (the health check's heartbeat with its `Host`).
   */
  readonly hosts: readonly string[];
  /**
   * Jobs watched for failed runs and silence; default `SHIPPED_JOB_KEYS`. Jobs not shipped yet
   * publish nothing: an alarm on them would only ever say "missing".
   */
  readonly jobs?: readonly JobKey[];
  /**
   * Whether pg-backup reads from a standby (stack config `postgresBackupFrom`): a run that had to
   * read the primary instead pages, so a standby that is down or behind is never hidden by backups
   * that keep succeeding.
   */
  readonly standbyBackup?: boolean;
  /**
   * The replication rule S3 Replication Time Control watches (stack config
   * `replication.replicationTimeControl`): its latency and failed operations page. Absent: no
   * replication alarms (S3 publishes replication metrics only with RTC or metrics turned on).
   */
  readonly replication?: ReplicationWatch;
}

/** The dimensions of S3's replication metrics (`AWS/S3`, published in the source's region). */
export interface ReplicationWatch {
  readonly sourceBucket: string;
  readonly destinationBucket: string;
  readonly ruleId: string;
}

/** The health check publishes its figures every 5 minutes. */
const HEALTH_PERIOD_SECONDS = 300;
/**
 * Host-wide figures (S3 reachability, disk use) are job-level metrics: the job that measured them
 * is their `Job` dimension. The health check measures them every 5 minutes; its figures page.
 */
export const HEALTH_CHECK_JOB: JobKey = "health-check";
/** The restore test publishes the time it took under its own `Job` dimension. */
export const RESTORE_TEST_JOB: JobKey = "pg-restore-test";
const HOUR = 3600;

/** The rows whose newest backup's age the health check reports, in catalog order. */
export function agedRows(): BackupTypeKey[] {
  return BACKUP_TYPE_KEYS.filter((k) => BACKUP_TYPES[k].metrics.includes(Metric.backupAgeSeconds));
}

export function alarmDefinitions<Ref = never>(
  inputs: AlarmInputs<Ref>,
): Record<string, AlarmDefinition<Ref>> {
  const ns = inputs.metricNamespace;
  const t = inputs.thresholds;
  const health = (
    kind: AlarmKind,
    what: string,
    metric: Pick<
      AlarmDefinition<Ref>,
      "metricName" | "dimensions" | "statistic" | "comparisonOperator" | "threshold"
    >,
  ): AlarmDefinition<Ref> => ({
    kind,
    description: `${what} What to do: ${runbookLink(kind)}`,
    namespace: ns,
    ...metric,
    groupBy: Dimension.host,
    periodSeconds: HEALTH_PERIOD_SECONDS,
    evaluationPeriods: t.evaluationPeriods,
    datapointsToAlarm: t.evaluationPeriods,
    treatMissingData: "ignore",
  });

  /**
   * A per-host figure each run of a job publishes (0 fine, above 0 the run's trouble): it pages on
   * the first run that reports trouble and stays in ALARM until a later run reports 0, so OK
   * means fixed; silence keeps the verdict (the job's heartbeat watches silence).
   */
  const runVerdict = (
    kind: AlarmKind,
    what: string,
    metric: Pick<AlarmDefinition<Ref>, "metricName" | "dimensions" | "statistic">,
  ): AlarmDefinition<Ref> => ({
    kind,
    description: `${what} What to do: ${runbookLink(kind)}`,
    namespace: ns,
    ...metric,
    groupBy: Dimension.host,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    periodSeconds: HEALTH_PERIOD_SECONDS,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "ignore",
  });

  const alarms: Record<string, AlarmDefinition<Ref>> = {};

  for (const row of agedRows()) {
    const type = BACKUP_TYPES[row];
    // The runbook's 24 h applies to the full backup; the other rows page at their RPO.
    const limit = row === "postgres" ? t.backupAgeHours * HOUR : type.rpoSeconds;
    alarms[`backup-age-${row}`] = health(
      "backup-age",
      `The newest ${row} backup (${type.title}) is older than ${describeSeconds(limit)} (RPO ${describeSeconds(type.rpoSeconds)}): new backups are not being completed.`,
      {
        metricName: Metric.backupAgeSeconds,
        dimensions: { [Dimension.backupType]: row },
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: limit,
      },
    );
  }

  const jobs = inputs.jobs ?? SHIPPED_JOB_KEYS;
  for (const key of jobs) {
    const job = JOBS[key];
    alarms[`job-failed-${key}`] = runVerdict(
      "job-failed",
      `Job ${key} (${job.description}) reported a failed run on a host.`,
      { metricName: Metric.jobFailed, dimensions: { [Dimension.job]: key }, statistic: "Sum" },
    );
  }

  for (const key of jobs) {
    const heartbeat = heartbeatAlarm(key, inputs);
    if (key !== HEALTH_CHECK_JOB) alarms[`heartbeat-${key}`] = heartbeat;
    // The health check's heartbeat is the host's liveness: one alarm per host that sees its silence.
    else
      for (const host of inputs.hosts)
        alarms[livenessAlarmKey(host)] = hostLiveness(heartbeat, host);
  }

  alarms["s3-unreachable"] = health(
    "s3-unreachable",
    "A host's request to the backup bucket failed: backups cannot be written or read.",
    {
      metricName: Metric.s3Reachable,
      dimensions: { [Dimension.job]: HEALTH_CHECK_JOB },
      statistic: "Minimum",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
    },
  );
  alarms["disk-usage"] = health(
    "disk-usage",
    `The file system holding the local backup copies is more than ${t.diskUsagePercent} % full: the next local copy may not fit.`,
    {
      metricName: Metric.diskUsagePercent,
      dimensions: { [Dimension.job]: HEALTH_CHECK_JOB },
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.diskUsagePercent,
    },
  );
  alarms["wal-archive-lag"] = health(
    "wal-archive-lag",
    `PostgreSQL has not archived a WAL segment for more than ${t.walArchiveLagMinutes} minutes (wal RPO ${describeSeconds(BACKUP_TYPES.wal.rpoSeconds)}): point-in-time recovery is falling behind.`,
    {
      metricName: Metric.walArchiveLagSeconds,
      dimensions: { [Dimension.backupType]: "wal" },
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.walArchiveLagMinutes * 60,
    },
  );
  alarms["wal-archive-failures"] = health(
    "wal-archive-failures",
    "PostgreSQL's archive_command keeps failing: WAL piles up in pg_wal and is not reaching the bucket.",
    {
      metricName: Metric.walArchiveFailedCount,
      dimensions: { [Dimension.backupType]: "wal" },
      statistic: "Sum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
    },
  );
  // One health check is enough for these two: a stuck archiver and a filling pg_wal only get
  // worse, and paging within one period keeps the page inside the wal RPO.
  alarms["wal-archive-stuck"] = {
    ...health(
      "wal-archive-stuck",
      `PostgreSQL's archiver is stuck on one WAL segment (its last attempt failed and nothing was archived since): point-in-time recovery ends before it, and pg_wal grows until it goes through. The health check's output names the segment and the engine's error.`,
      {
        metricName: Metric.walArchiveStuck,
        dimensions: { [Dimension.backupType]: "wal" },
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
      },
    ),
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  };
  alarms["pg-wal-disk-usage"] = {
    ...health(
      "pg-wal-disk-usage",
      `The file system holding PostgreSQL's pg_wal is more than ${t.diskUsagePercent} % full: WAL that cannot be archived fills it, and PostgreSQL stops when it is full.`,
      {
        metricName: Metric.pgWalDiskUsagePercent,
        dimensions: { [Dimension.backupType]: "wal" },
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: t.diskUsagePercent,
      },
    ),
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  };
  alarms["schedule-dlq"] = {
    kind: "schedule-dlq",
    description: `EventBridge Scheduler could not start a job (its SendCommand call failed after retries); the run is in the dead-letter queue. What to do: ${runbookLink("schedule-dlq")}`,
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: inputs.deadLetterQueueName },
    statistic: "Maximum",
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    periodSeconds: HEALTH_PERIOD_SECONDS,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
  };
  alarms["snapshot-failures"] = {
    kind: "snapshot-failures",
    description: `The weekly EBS snapshot policy failed to create a snapshot. What to do: ${runbookLink("snapshot-failures")}`,
    namespace: "AWS/EBS",
    metricName: "SnapshotsCreateFailed",
    dimensions: { DLMPolicyId: inputs.snapshotPolicyId },
    statistic: "Sum",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    periodSeconds: HOUR,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
  };
  if (t.restoreTestRtoMinutes !== undefined) {
    alarms["restore-test-rto"] = {
      kind: "restore-test-rto",
      description: `The weekly restore test took longer than the RTO of ${t.restoreTestRtoMinutes} minutes to bring up a queryable database. What to do: ${runbookLink("restore-test-rto")}`,
      namespace: ns,
      metricName: Metric.restoreTestRtoSeconds,
      dimensions: { [Dimension.job]: RESTORE_TEST_JOB },
      groupBy: Dimension.host,
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: t.restoreTestRtoMinutes * 60,
      periodSeconds: HOUR,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // A weekly figure: the verdict holds until the next test.
      treatMissingData: "ignore",
    };
  }
  if (inputs.standbyBackup === true)
    alarms["standby-fallback"] = runVerdict(
      "standby-fallback",
      "pg-backup could not read the standby the stack backs up from (down, no longer in recovery, another cluster, or too far behind) and read the primary instead: the backup exists, but loaded the primary. Its output names the reason.",
      {
        metricName: Metric.standbyFallback,
        dimensions: { [Dimension.backupType]: "postgres" },
        statistic: "Maximum",
      },
    );
  if (inputs.replication !== undefined)
    Object.assign(alarms, replicationAlarms(inputs.replication));
  return alarms;
}

/**
 * S3 Replication Time Control's two figures
 * (docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html): `ReplicationLatency`, the
 * seconds the replica is behind, against RTC's 15-minute promise, and
 * `OperationsFailedReplication`, objects S3 gave up on (a KMS or role permission broken, the
 * replica's lock or versioning changed). S3 publishes them only while there is something to
 * replicate, so silence is not a problem here.
 */
function replicationAlarms<Ref>(watch: ReplicationWatch): Record<string, AlarmDefinition<Ref>> {
  const dimensions = {
    SourceBucket: watch.sourceBucket,
    DestinationBucket: watch.destinationBucket,
    RuleId: watch.ruleId,
  };
  const to = `s3://${watch.sourceBucket} to s3://${watch.destinationBucket}`;
  return {
    "replication-latency": {
      kind: "replication-latency",
      description: `Replication ${to} is more than ${RTC_MINUTES} minutes behind (Replication Time Control's limit): the copy in the second region is missing recent backups. What to do: ${runbookLink("replication-latency")}`,
      namespace: "AWS/S3",
      metricName: "ReplicationLatency",
      dimensions,
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: RTC_MINUTES * 60,
      periodSeconds: HEALTH_PERIOD_SECONDS,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: "notBreaching",
    },
    "replication-failures": {
      kind: "replication-failures",
      description: `S3 failed to replicate objects ${to}: those backups exist in one region only. What to do: ${runbookLink("replication-failures")}`,
      namespace: "AWS/S3",
      metricName: "OperationsFailedReplication",
      dimensions,
      statistic: "Sum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      periodSeconds: HEALTH_PERIOD_SECONDS,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "notBreaching",
    },
  };
}

/** The key (and name suffix) of the liveness alarm of host `host`. */
export function livenessAlarmKey(host: string): string {
  return `heartbeat-${HEALTH_CHECK_JOB}-${host}`;
}

/** The health check's heartbeat alarm narrowed to one host, which it names. */
function hostLiveness<Ref>(heartbeat: AlarmDefinition<Ref>, host: string): AlarmDefinition<Ref> {
  return {
    ...heartbeat,
    description: heartbeat.description.replace("on a host", `on host ${host}`),
    host,
  };
}

/**
 * The dimensions of an alarm on one series (an AWS metric, or one host's series of a per-host
 * figure); `undefined` for a per-host alarm on every host (`insightsQueryOf`).
 */
export function seriesDimensionsOf<Ref>(
  alarm: AlarmDefinition<Ref>,
): Readonly<Record<string, string | Ref>> | undefined {
  if (alarm.groupBy === undefined) return alarm.dimensions;
  if (alarm.host === undefined) return undefined;
  return { ...alarm.dimensions, [alarm.groupBy]: alarm.host };
}

function heartbeatAlarm<Ref>(key: JobKey, inputs: AlarmInputs<Ref>): AlarmDefinition<Ref> {
  const job = JOBS[key];
  const expression = inputs.schedules[job.scheduleKey];
  // DLM's snapshots aside, every schedule runs in the stack's time zone.
  const parsed = parseScheduleExpression(expression, { timezone: inputs.timezone });
  if (!parsed.ok)
    throw new Error(
      `schedule '${job.scheduleKey}' (${expression}) must be validated first: ${parsed.reason}`,
    );
  const watch = heartbeatWatch({
    maxGapSeconds: parsed.maxGapSeconds,
    timeoutSeconds: job.timeoutSeconds,
    expression,
    ownHeartbeat: key === HEALTH_CHECK_JOB,
  });
  const silence = `Job ${key} has not finished a run on a host for ${describeDuration(watch.silenceSeconds)} (schedule ${expression} ${inputs.timezone}, at most ${describeDuration(parsed.maxGapSeconds)} apart, plus ${describeDuration(job.timeoutSeconds)} to run): it is not running at all.`;
  const common = {
    kind: "heartbeat" as const,
    description: `${silence} What to do: ${runbookLink("heartbeat")}`,
    namespace: inputs.metricNamespace,
    dimensions: { [Dimension.job]: key },
    groupBy: Dimension.host,
    treatMissingData: "breaching" as const,
    warmUpMinutes: watch.warmUpMinutes,
  };
  switch (watch.kind) {
    case "heartbeats":
      return {
        ...common,
        metricName: Metric.jobHeartbeat,
        statistic: "Sum",
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        periodSeconds: watch.periodSeconds,
        evaluationPeriods: watch.evaluationPeriods,
        datapointsToAlarm: watch.evaluationPeriods,
      };
    case "lastRunAge":
      return {
        ...common,
        metricName: Metric.jobLastRunAgeSeconds,
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: watch.silenceSeconds,
        // Refreshed every 5 minutes by each host's health check: an hour without it is silence
        // too (the health check's own heartbeat alarm has paged by then).
        periodSeconds: HOUR,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
      };
    default: {
      const unreachable: never = watch;
      return unreachable;
    }
  }
}

/**
 * The Metrics Insights query of an alarm on a per-host figure (`groupBy` set), e.g.
 * `SELECT MAX(BackupAgeSeconds) FROM SCHEMA("StellarInsights/Backup", BackupType, Host) WHERE
 * BackupType = 'postgres' GROUP BY Host`; `undefined` for an alarm on one AWS metric.
 */
export function insightsQueryOf(alarm: AlarmDefinition<unknown>): string | undefined {
  if (alarm.groupBy === undefined || alarm.host !== undefined) return undefined;
  return renderInsightsQuery({
    namespace: alarm.namespace,
    metricName: alarm.metricName,
    statistic: alarm.statistic,
    where: Object.fromEntries(Object.entries(alarm.dimensions).map(([k, v]) => [k, String(v)])),
    groupBy: alarm.groupBy,
  });
}

/** A metric an alarm watches, as the host jobs must publish it (namespace: stack config). */
export interface AlarmMetric {
  readonly metricName: string;
  /** The fixed dimensions, besides `groupBy`. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** A dimension every datum must also carry, any value (`Host`: one series per host). */
  readonly groupBy?: string;
}

/**
 * Every metric, with its exact dimensions, that some alarm of the stack watches in the project's
 * namespace, sorted and without duplicates. The host plane's contract test publishes through the
 * real jobs and checks each of these exists with `groupBy` (`Host`) set to the host's id (moto
 * never evaluates alarms, so this is the link).
 * The default covers every alarm kind, the optional restore-test RTO included.
 */
export function alarmMetricContract(inputs: AlarmInputs<unknown> = CONTRACT_INPUTS): AlarmMetric[] {
  const seen = new Map<string, AlarmMetric>();
  for (const alarm of Object.values(alarmDefinitions(inputs))) {
    if (alarm.namespace !== inputs.metricNamespace) continue;
    const dimensions = Object.fromEntries(
      Object.entries(alarm.dimensions)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, String(v)]),
    );
    const metric: AlarmMetric = {
      metricName: alarm.metricName,
      dimensions,
      ...(alarm.groupBy === undefined ? {} : { groupBy: alarm.groupBy }),
    };
    seen.set(JSON.stringify(metric), metric);
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, m]) => m);
}

/** The catalog's defaults, with the optional RTO alarm switched on so every kind is covered. */
const CONTRACT_INPUTS: AlarmInputs<unknown> = {
  metricNamespace: DEFAULT_METRIC_NAMESPACE,
  schedules: DEFAULT_SCHEDULES,
  timezone: "UTC",
  thresholds: { ...DEFAULT_THRESHOLDS, restoreTestRtoMinutes: 60 },
  deadLetterQueueName: "dead-letters",
  snapshotPolicyId: "snapshot-policy",
  hosts: ["contract-host"],
};
