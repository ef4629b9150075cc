/**
 * The host jobs: what each one does, when it runs by default, and which catalog row it serves.
 * Schedules are overridable per schedule key in stack config (`schedules`).
 *
 * Pure module: no Pulumi import.
 */
import { BACKUP_TYPES, type BackupTypeKey } from "./backupTypes";

export const JOB_KEYS = [
  "pg-backup",
  "pg-verify",
  "pg-restore-test",
  "redis-backup",
  "config-backup",
  "logs-ship",
  "cleanup",
  "health-check",
] as const;
export type JobKey = (typeof JOB_KEYS)[number];

/**
 * Exit code of a run that found its job's lock held by a live run and did nothing (sysexits'
 * EX_TEMPFAIL). The scheduled jobs' documents report it to SSM as success: an overlap that
 * resolves itself must not page; a run stuck for longer pages through its heartbeat alarm.
 */
export const BUSY_EXIT_CODE = 75;

/**
 * Keys of `schedules` in stack config: the backup rows that run on a schedule, and the jobs that
 * serve no single row.
 */
export const SCHEDULE_KEYS = [
  "postgres",
  "configs",
  "logs",
  "redis",
  "snapshots",
  "verify",
  "health",
  "cleanup",
  "restoreTest",
] as const;
export type ScheduleKey = (typeof SCHEDULE_KEYS)[number];

/**
 * Whether the job's entry file (`scripts/jobs/<key>.ts`) exists yet. Only shipped jobs are
 * scheduled, get an SSM run and failure events, alarms (heartbeat, job failed, last-run age),
 * dashboard lines and a row in the alarms runbook's heartbeat table; synth lists the others with
 * their reason and fails when a job marked shipped has no entry file.
 */
export type Shipping =
  { readonly shipped: true } | { readonly shipped: false; readonly notShippedReason: string };

interface JobInfo {
  readonly key: JobKey;
  readonly description: string;
  readonly scheduleKey: ScheduleKey;
  /** The row whose backups this job takes, if any. */
  readonly backupType?: BackupTypeKey;
  /** SSM Run Command timeout for one run. */
  readonly timeoutSeconds: number;
}

export type Job = JobInfo & Shipping;

export const JOBS: Readonly<Record<JobKey, Job>> = {
  "pg-backup": {
    key: "pg-backup",
    shipped: true,
    description:
      "Backup of PostgreSQL through the stack's engine into S3 (full, or the plan's kind between fulls) and the local repository",
    scheduleKey: "postgres",
    backupType: "postgres",
    timeoutSeconds: 4 * 3600,
  },
  "pg-verify": {
    key: "pg-verify",
    shipped: true,
    description:
      "Checks the newest backup's age, verifies every backup file and WAL segment, and the archiver",
    scheduleKey: "verify",
    timeoutSeconds: 1800,
  },
  "pg-restore-test": {
    key: "pg-restore-test",
    shipped: true,
    description: "Restores the newest backup into a throwaway PostgreSQL and checks it",
    scheduleKey: "restoreTest",
    timeoutSeconds: 4 * 3600,
  },
  "redis-backup": {
    key: "redis-backup",
    shipped: true,
    description: "Redis BGSAVE, verified dump uploaded to S3 plus the local copy",
    scheduleKey: "redis",
    backupType: "redis",
    timeoutSeconds: 1800,
  },
  "config-backup": {
    key: "config-backup",
    shipped: true,
    description: "Archives the configuration files; uploads only when they changed",
    scheduleKey: "configs",
    backupType: "configs",
    timeoutSeconds: 600,
  },
  "logs-ship": {
    key: "logs-ship",
    shipped: true,
    description: "Ships application logs to S3, each file once",
    scheduleKey: "logs",
    backupType: "logs",
    timeoutSeconds: 1800,
  },
  cleanup: {
    key: "cleanup",
    shipped: true,
    description: "The PostgreSQL engine's retention (expire) and pruning of the local copies",
    scheduleKey: "cleanup",
    timeoutSeconds: 3600,
  },
  "health-check": {
    key: "health-check",
    shipped: true,
    description: "Backup ages, S3 reachability, disk use, WAL archive lag, Redis last save",
    scheduleKey: "health",
    timeoutSeconds: 300,
  },
};

/** The jobs that run on hosts today, in catalog order. */
export const SHIPPED_JOB_KEYS: readonly JobKey[] = JOB_KEYS.filter((key) => JOBS[key].shipped);

/** The jobs still to come, each with why. */
export function unshippedJobs(): { readonly key: JobKey; readonly reason: string }[] {
  return JOB_KEYS.flatMap((key) => {
    const job = JOBS[key];
    return job.shipped ? [] : [{ key, reason: job.notShippedReason }];
  });
}

function rowExpression(key: BackupTypeKey): string {
  const cadence = BACKUP_TYPES[key].cadence;
  if (cadence.kind === "continuous") throw new Error(`catalog row '${key}' has no schedule`);
  return cadence.expression;
}

/** Default schedule expressions (EventBridge Scheduler / DLM syntax), before stack overrides. */
export const DEFAULT_SCHEDULES: Readonly<Record<ScheduleKey, string>> = {
  postgres: rowExpression("postgres"),
  configs: rowExpression("configs"),
  logs: rowExpression("logs"),
  redis: rowExpression("redis"),
  snapshots: rowExpression("snapshots"),
  // After the 02:00 full backup has had two hours to finish.
  verify: "cron(0 4 * * ? *)",
  // Often enough that an alarm on its figures fires within minutes of trouble.
  health: "rate(5 minutes)",
  cleanup: "cron(0 5 * * ? *)",
  restoreTest: "cron(0 6 ? * SUN *)",
};

export function isScheduleKey(value: string): value is ScheduleKey {
  return (SCHEDULE_KEYS as readonly string[]).includes(value);
}
