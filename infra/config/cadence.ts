/**
 * How often each schedule may run, derived from the catalog: never closer together than one run
 * may take, never further apart than the row it serves allows. Pure module.
 *
 * - At least: the job's SSM Run Command timeout (`JOBS[...].timeoutSeconds`), the longest a run may
 *   take. Closer runs overlap; the later one finds the lock held and is skipped, so the extra runs
 *   buy nothing but cost (a full backup `rate(1 minute)`). Snapshots have no job: Data Lifecycle
 *   Manager's own minimum interval of 1 hour (DLM API, CreateRule.CronExpression).
 * - At most: a backup row's RPO (checked by `rpoGapProblem`, which names the gap's dates); the
 *   cleanup's, the shortest retention of a row with local copies (a copy outlives its retention by
 *   up to one gap); the restore test's, the postgres retention (a backup must have been proven
 *   restorable while it is still kept); the health check's, its alarm's window (`healthScheduleProblem`).
 */
import {
  BACKUP_TYPES,
  JOBS,
  describeSeconds,
  isBackupTypeKey,
  parseScheduleExpression,
  type BackupTypeKey,
  type ScheduleKey,
} from "../catalog";
import { LOCAL_COPY_KEYS } from "../catalog/hostConfig";

const HOUR = 3600;
const DAY = 86400;
/** Data Lifecycle Manager: "The schedule interval must be between 1 hour and 1 year". */
const DLM_MIN_INTERVAL_SECONDS = HOUR;

interface Bound {
  readonly seconds: number;
  readonly why: string;
}

/** The least time between two runs of `name`, and why. */
function lowerBound(name: ScheduleKey): Bound {
  if (name === "snapshots")
    return { seconds: DLM_MIN_INTERVAL_SECONDS, why: "Data Lifecycle Manager's minimum interval" };
  const job = Object.values(JOBS).find((j) => j.scheduleKey === name);
  if (job === undefined) throw new Error(`no catalog job runs on schedule '${name}'`);
  return {
    seconds: job.timeoutSeconds,
    why: `the longest a ${job.key} run may take (its SSM timeout): closer runs overlap and the later one is skipped`,
  };
}

/** The most time between two runs of `name` under `retention`, and why; undefined: checked elsewhere. */
function upperBound(
  name: ScheduleKey,
  retention: Readonly<Record<BackupTypeKey, number>>,
): Bound | undefined {
  if (isBackupTypeKey(name))
    return { seconds: BACKUP_TYPES[name].rpoSeconds, why: `the ${name} RPO` };
  if (name === "cleanup") {
    const row = [...LOCAL_COPY_KEYS].sort((a, b) => retention[a] - retention[b])[0];
    return {
      seconds: retention[row] * DAY,
      why: `retentionDays.${row}, the shortest retention of a local copy: a copy outlives its retention by up to one gap`,
    };
  }
  if (name === "restoreTest")
    return {
      seconds: retention.postgres * DAY,
      why: "retentionDays.postgres: a backup must be proven restorable while it is still kept",
    };
  return undefined;
}

/**
 * Why `expression` runs `name` more often than a run may take, or (for the cleanup and the restore
 * test) less often than the retention allows, with the range that makes sense; `undefined` when it
 * is in range or does not parse (its own rules say so). A backup row's RPO and the health check's
 * window have their own rules and messages; the range named here includes them.
 *
 * @param retention the stack's retention per row, in days
 * @param now start of the simulated runs
 */
export function cadenceProblem(
  name: ScheduleKey,
  expression: string,
  timezone: string,
  retention: Readonly<Record<BackupTypeKey, number>>,
  now: Date,
): string | undefined {
  const parsed = parseScheduleExpression(expression, { timezone, from: now });
  if (!parsed.ok) return undefined;
  const lower = lowerBound(name);
  const upper = upperBound(name, retention);
  const range = `from ${describeSeconds(lower.seconds)} (${lower.why})${
    upper === undefined ? "" : ` to ${describeSeconds(upper.seconds)} (${upper.why})`
  }`;
  if (parsed.minGapSeconds < lower.seconds)
    return `runs as often as every ${describeSeconds(parsed.minGapSeconds)}; the time between runs must be ${range}`;
  if (upper !== undefined && !isBackupTypeKey(name) && parsed.maxGapSeconds > upper.seconds)
    return `leaves up to ${describeSeconds(parsed.maxGapSeconds)} between runs; the time between runs must be ${range}`;
  return undefined;
}
