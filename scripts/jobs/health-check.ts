/**
 * health-check: the runbook's health script as metrics and findings. It checks S3 with a real
 * request, the backup disk, WAL archiving (lag and failures), Redis's last save, the newest backup
 * of every S3-backed row, a timeline in the PostgreSQL repository the cluster never had, and how
 * long ago each job last ran; publishes each figure; and exits 0 (ok), 1 (warning) or 2
 * (critical). Its own run metrics are the heartbeat.
 *
 * Parameters: JOB_PARAMETERS in infra/catalog/jobParameters.ts; exit codes: USAGE below (`--help`
 * lists both).
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { redisHostPrefix } from "../lib/redis/dumps";
import { BACKUP_TYPES, JOB_KEYS, Metric, describeSeconds } from "../../infra/catalog";
import { archiverStatus, archiverStuck, failuresSinceLastCheck } from "../lib/postgres/archiver";
import { HOST_NAMED_ROWS, rowAge } from "../lib/storage/rowAges";
import { JobError, errorMessage } from "../lib/job/errors";
import { exitCodeOf, summaryOf, type Finding } from "./health-check/findings";
import { engineFor } from "../lib/engines";
import { formatBytes } from "../lib/job/format";
import {
  diskUsagePercent,
  measureBackupVolume,
  type BackupVolume,
} from "../lib/storage/localCopies";
import { postgresBackupAge } from "../lib/postgres/backupAge";
import { strayTimelineProblems } from "../lib/postgres/strayTimelines";
import { connectPostgres } from "../lib/postgres/connection";
import { command, info, lastSave } from "../lib/redis/client";
import { connectRedisProbe } from "./health-check/redisProbe";
import { readRunRecord } from "../lib/job/runRecords";
import type { JobUsage } from "../lib/job/jobCommand";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";
import { secondsBetween } from "../lib/job/time";
import { JOB_PARAMETERS, HEALTH_CHECKS, parameterUsage } from "../../infra/catalog/jobParameters";

const PARAMETERS = JOB_PARAMETERS["health-check"];

type Check = (typeof HEALTH_CHECKS)[number];

/** Scheduled rows may miss one run before it is worth a warning. */
const STALE_FACTOR = 2;

type CheckFn = (ctx: JobContext, s3Ok: () => Promise<boolean>) => Promise<Finding[]>;

const checkS3: CheckFn = async (ctx, s3Ok) => {
  const ok = await s3Ok();
  return [
    ok
      ? { check: "s3", severity: "ok", message: `s3://${ctx.config.bucket} reachable` }
      : {
          check: "s3",
          severity: "critical",
          message: `Cannot access S3 backup bucket s3://${ctx.config.bucket}`,
        },
  ];
};

const checkDisk: CheckFn = async (ctx) => {
  const { maxDiskUsagePercent } = ctx.config.local;
  let volume: BackupVolume;
  try {
    volume = await measureBackupVolume(ctx.config);
  } catch (error) {
    return [
      {
        check: "disk",
        severity: "warning",
        message:
          error instanceof JobError
            ? `${errorMessage(error)}: ${error.hint}`
            : `Cannot measure backup disk ${ctx.config.local.root}: ${errorMessage(error)}`,
      },
    ];
  }
  ctx.metrics.jobMetric(Metric.diskUsagePercent, volume.percent);
  const where = `${volume.root} on the file system mounted at ${volume.mountPoint}`;
  return volume.percent > maxDiskUsagePercent
    ? [
        {
          check: "disk",
          severity: "warning",
          message: `Backup disk usage ${volume.percent}% above ${maxDiskUsagePercent}% (${where})`,
        },
      ]
    : [
        {
          check: "disk",
          severity: "ok",
          message: `backup disk ${volume.percent}% used (${where})`,
        },
      ];
};

const checkWalArchive: CheckFn = async (ctx) => {
  const rpo = BACKUP_TYPES.wal.rpoSeconds;
  let status;
  const client = await connectPostgres(ctx.config).catch((error: unknown) => error as Error);
  if (client instanceof Error)
    return [{ check: "wal-archive", severity: "critical", message: client.message }];
  try {
    status = await archiverStatus(client);
  } finally {
    await client.end();
  }
  if (status.standby)
    return [
      {
        check: "wal-archive",
        severity: "ok",
        message: "standby: WAL archiving is the primary's job",
      },
    ];
  if (status.archiveMode === "off") {
    return [
      {
        check: "wal-archive",
        severity: "critical",
        message: "WAL archiving is off (archive_mode=off): point-in-time recovery is impossible",
      },
    ];
  }
  const failures = await failuresSinceLastCheck(ctx.config.paths.stateDir, status);
  const stuck = archiverStuck(status);
  const pgWal = join(ctx.config.postgres.pgData, "pg_wal");
  const walDiskPercent = await diskUsagePercent(pgWal);
  const diskLimit = ctx.config.local.maxDiskUsagePercent;
  ctx.metrics.rowMetric("wal", Metric.walArchiveLagSeconds, status.lagSeconds);
  ctx.metrics.rowMetric("wal", Metric.walArchiveFailedCount, failures);
  ctx.metrics.rowMetric("wal", Metric.walArchiveStuck, stuck ? 1 : 0);
  ctx.metrics.rowMetric("wal", Metric.pgWalDiskUsagePercent, walDiskPercent);
  ctx.log.info("archiver status", {
    ...status,
    failuresSinceLastCheck: failures,
    stuck,
    pgWalDiskUsagePercent: walDiskPercent,
  });
  const findings: Finding[] = [];
  const lastFailure = status.lastFailedWal
    ? ` (last failure: ${status.lastFailedWal} at ${status.lastFailedTime?.toISOString()})`
    : "";
  const walHeld = `${status.readyCount} segment(s) waiting, pg_wal holds ${formatBytes(status.walBytes)} (its file system ${pgWal} is ${walDiskPercent}% used)`;
  if (stuck) {
    const engine = engineFor(ctx.config, ctx.hostId);
    const segment = status.lastFailedWal as string;
    const reason = await engine.archivePushError(segment);
    findings.push({
      check: "wal-archive",
      severity: "critical",
      message: `WAL archiving is stuck on ${segment}: its last attempt failed at ${status.lastFailedTime?.toISOString()} and nothing was archived since; ${engine.descriptor.title} says: ${reason ?? "nothing on this host (PostgreSQL's log has archive_command's output)"}. Point-in-time recovery ends at ${status.lastArchivedWal ? `${status.lastArchivedWal}, archived ${status.lastArchivedTime?.toISOString()}` : "the newest backup"} until ${segment} is archived; ${walHeld}`,
    });
  }
  if (walDiskPercent > diskLimit)
    findings.push({
      check: "wal-archive",
      severity: "critical",
      message: `pg_wal's file system is ${walDiskPercent}% used, above ${diskLimit}%: PostgreSQL stops when it is full; ${walHeld}${lastFailure}`,
    });
  if (status.lagSeconds > rpo) {
    findings.push({
      check: "wal-archive",
      severity: "critical",
      message: `WAL archive lag ${describeSeconds(status.lagSeconds)} exceeds ${describeSeconds(rpo)}: ${status.readyCount} segment(s) waiting, pg_wal holds ${formatBytes(status.walBytes)}${lastFailure}`,
    });
  }
  if (failures > 0) {
    findings.push({
      check: "wal-archive",
      severity: "warning",
      message: `${failures} WAL archive attempt(s) failed since the last check${lastFailure}`,
    });
  }
  return findings.length > 0
    ? findings
    : [{ check: "wal-archive", severity: "ok", message: `WAL archive lag ${status.lagSeconds} s` }];
};

const checkRedis: CheckFn = async (ctx) => {
  const client = await connectRedisProbe(ctx.config).catch((error: unknown) => error as Error);
  if (client instanceof Error)
    return [{ check: "redis", severity: "critical", message: client.message }];
  try {
    const persistence = await info(client, "persistence");
    const [now] = (await command(client, ["TIME"])) as string[];
    const age = Math.max(0, Number(now) - (await lastSave(client)));
    ctx.metrics.rowMetric("redis", Metric.redisLastSaveAgeSeconds, age);
    const unsaved = Number(persistence.rdb_changes_since_last_save ?? 0);
    if (persistence.rdb_last_bgsave_status !== "ok") {
      return [
        {
          check: "redis",
          severity: "critical",
          message: "Redis's last background save failed (rdb_last_bgsave_status:err)",
        },
      ];
    }
    // An old save with nothing unsaved loses nothing: only pending changes make the age matter.
    if (age > BACKUP_TYPES.redis.rpoSeconds && unsaved > 0) {
      return [
        {
          check: "redis",
          severity: "warning",
          message: `Redis last saved ${describeSeconds(age)} ago with ${unsaved} unsaved change(s)`,
        },
      ];
    }
    return [{ check: "redis", severity: "ok", message: `Redis last saved ${age} s ago` }];
  } finally {
    client.destroy();
  }
};

const checkBackupAges: CheckFn = async (ctx, s3Ok) => {
  if (!(await s3Ok()))
    return [
      {
        check: "backup-ages",
        severity: "critical",
        message: "backup ages unknown: S3 unreachable",
      },
    ];
  const findings: Finding[] = [];
  const now = new Date();
  for (const row of HOST_NAMED_ROWS) {
    const age = await rowAge(ctx.store(), ctx.config.s3Prefixes, ctx.hostId, row);
    const limit = STALE_FACTOR * BACKUP_TYPES[row].rpoSeconds;
    if (!age.newest) {
      findings.push({
        check: "backup-ages",
        severity: "warning",
        message: `no ${row} backup of this host in s3://${ctx.config.bucket}/${age.prefix}`,
      });
      continue;
    }
    const seconds = secondsBetween(age.newest.lastModified, now);
    ctx.metrics.rowMetric(row, Metric.backupAgeSeconds, seconds);
    findings.push(
      seconds > limit
        ? {
            check: "backup-ages",
            severity: "warning",
            message: `newest ${row} backup is ${describeSeconds(seconds)} old (over ${describeSeconds(limit)}): ${age.detail ?? age.newest.key}`,
          }
        : { check: "backup-ages", severity: "ok", message: `${row} backup ${seconds} s old` },
    );
  }
  return findings;
};

const checkPostgresBackup: CheckFn = async (ctx) => {
  const rpo = BACKUP_TYPES.postgres.rpoSeconds;
  const engine = engineFor(ctx.config, ctx.hostId);
  const state = await engine.installed();
  if (!state.installed) {
    return [
      {
        check: "postgres-backup",
        severity: "critical",
        message: `PostgreSQL backup age unavailable: ${engine.descriptor.title} is not installed (${state.reason})`,
      },
    ];
  }
  const backups = await engine.list("s3");
  const age = postgresBackupAge(backups, new Date(), rpo);
  if (age.ageSeconds !== undefined)
    ctx.metrics.rowMetric("postgres", Metric.backupAgeSeconds, age.ageSeconds);
  // Critical: the run exits 2, its SSM command ends Failed and the command-failed rule pages.
  const stray: Finding[] = (
    await strayTimelineProblems(ctx.config, engine, ctx.hostId, "s3", backups)
  ).map((p) => ({ check: "postgres-backup", severity: "critical", message: p.message }));
  if (age.problem)
    return [
      { check: "postgres-backup", severity: "critical", message: `ERROR: ${age.problem}` },
      ...stray,
    ];
  if (stray.length > 0) return stray;
  return [
    {
      check: "postgres-backup",
      severity: "ok",
      message: `newest backup ${age.newest?.name} is ${age.ageSeconds} s old`,
    },
  ];
};

/** Figures only: the alarms decide how old is too old for each job's schedule. */
/**
 * Seconds since each job last finished on this host. A job that never ran is aged from when this
 * host's config was installed (the config file's modification time): a fresh host is not silent
 * for its heartbeat alarm, and a job that never runs still pages once its window has passed.
 */
const checkJobRuns: CheckFn = async (ctx) => {
  const now = new Date();
  const installedAt = (await fs.stat(ctx.configPath)).mtime;
  const never: string[] = [];
  for (const job of JOB_KEYS) {
    const record = await readRunRecord(ctx.config.paths.stateDir, job);
    if (!record) never.push(job);
    const since = record ? new Date(record.finishedAt) : installedAt;
    ctx.metrics.jobMetric(Metric.jobLastRunAgeSeconds, secondsBetween(since, now), job);
  }
  return [
    {
      check: "job-runs",
      severity: "ok",
      message: never.length
        ? `never ran on this host (aged from the config's install at ${installedAt.toISOString()}): ${never.join(", ")}`
        : "every job has run",
    },
  ];
};

const CHECK_FNS: Readonly<Record<Check, CheckFn>> = {
  s3: checkS3,
  disk: checkDisk,
  "wal-archive": checkWalArchive,
  redis: checkRedis,
  "backup-ages": checkBackupAges,
  "postgres-backup": checkPostgresBackup,
  "job-runs": checkJobRuns,
};

async function health(ctx: JobContext): Promise<JobOutcome> {
  const checks = ctx.params.list(PARAMETERS.checks.env, HEALTH_CHECKS);
  ctx.params.check();
  let s3Result: Promise<boolean> | undefined;
  const s3Ok = () =>
    (s3Result ??= ctx
      .store()
      // This host's own prefix: the host role may list nothing wider (infra/content/aws/hostPolicy.ts).
      .probe(redisHostPrefix(ctx.config.s3Prefixes.redis, ctx.hostId))
      .then(
        () => true,
        (error: unknown) => {
          ctx.log.error("S3 probe failed", { error: errorMessage(error) });
          return false;
        },
      )
      .then((ok) => {
        if (checks.includes("s3")) ctx.metrics.jobMetric(Metric.s3Reachable, ok ? 1 : 0);
        return ok;
      }));

  const findings: Finding[] = [];
  for (const check of checks) {
    try {
      findings.push(...(await CHECK_FNS[check](ctx, s3Ok)));
    } catch (error) {
      findings.push({
        check,
        severity: "critical",
        message: `${check} check failed: ${errorMessage(error)}`,
      });
    }
  }
  for (const f of findings) {
    const level = f.severity === "ok" ? "info" : f.severity === "warning" ? "warn" : "error";
    ctx.log[level](f.message, { check: f.check, severity: f.severity });
  }
  return { exitCode: exitCodeOf(findings), summary: summaryOf(findings) };
}

function main(): Promise<number> {
  return runJob("health-check", health);
}

const USAGE: JobUsage = {
  summary:
    "The runbook's health check: S3, backup disk, WAL archiving, Redis's last save, backup ages and job\n" +
    "runs, each published as a metric.",
  parameters: parameterUsage(PARAMETERS),
  exitCodes: {
    0: "every check ok",
    1: "a warning and no critical finding, or the run itself failed",
    2: "a critical finding",
  },
};

exitWith("health-check", USAGE, main);
