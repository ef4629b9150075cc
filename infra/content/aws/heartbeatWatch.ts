/**
 * How long a scheduled job may stay silent before that silence pages, and how CloudWatch can watch
 * for it within its limits. Pure.
 *
 * A job publishes `JobHeartbeat` once per run, at the end, whatever the outcome. Two heartbeats are
 * at most (longest gap between scheduled starts) + (one run's allowance) apart, so silence longer
 * than that, plus a grace for delivery, means the job did not run.
 *
 * CloudWatch limits (PutMetricAlarm): period × evaluation periods may span at most 1 day for
 * periods under an hour and at most 7 days otherwise. An alarm that fires when all N periods of
 * its window are empty (N of N, missing data breaching) therefore sees at most 7 days back, and a
 * weekly job's two heartbeats can be more than 7 days apart (7 days + the run's time). Such a job
 * is watched through `JobLastRunAgeSeconds` instead, which the health check refreshes every few
 * minutes; a plain threshold on it has no window limit.
 */

/** Time for a heartbeat to be published and become visible to alarms. */
export const DELIVERY_GRACE_SECONDS = 300;

const HOUR = 3600;
/** CloudWatch: the widest evaluation range for periods under an hour, and for the rest. */
export const MAX_RANGE_SHORT_PERIODS = 86_400;
export const MAX_RANGE = 604_800;
/** Periods tried, finest first: 5 minutes keeps a short window precise, 1 hour reaches 7 days. */
const CANDIDATE_PERIODS = [300, HOUR] as const;
/** CloudWatch accepts warm-up periods of 1 to 2,880 minutes. */
const MAX_WARM_UP_MINUTES = 2880;

export type HeartbeatWatch =
  /** N of N periods without a heartbeat page. */
  | {
      readonly kind: "heartbeats";
      readonly silenceSeconds: number;
      readonly periodSeconds: number;
      readonly evaluationPeriods: number;
      readonly warmUpMinutes: number;
    }
  /** `JobLastRunAgeSeconds` above `silenceSeconds` pages. */
  | {
      readonly kind: "lastRunAge";
      readonly silenceSeconds: number;
      readonly warmUpMinutes: number;
    };

export interface HeartbeatInputs {
  /**
   * `parseScheduleExpression(expression, { timezone }).maxGapSeconds` of the job's schedule: the
   * real longest gap in the stack's time zone, daylight saving time included.
   */
  readonly maxGapSeconds: number;
  /** The job's run allowance (`Job.timeoutSeconds`). */
  readonly timeoutSeconds: number;
}

export function heartbeatWatch(inputs: HeartbeatInputs): HeartbeatWatch {
  const silenceSeconds = inputs.maxGapSeconds + inputs.timeoutSeconds + DELIVERY_GRACE_SECONDS;
  for (const periodSeconds of CANDIDATE_PERIODS) {
    // One extra period: the window's edges fall between period boundaries.
    const evaluationPeriods = Math.ceil(silenceSeconds / periodSeconds) + 1;
    const range = periodSeconds * evaluationPeriods;
    if (range <= (periodSeconds < HOUR ? MAX_RANGE_SHORT_PERIODS : MAX_RANGE)) {
      return {
        kind: "heartbeats",
        silenceSeconds,
        periodSeconds,
        evaluationPeriods,
        warmUpMinutes: warmUp(range),
      };
    }
  }
  return { kind: "lastRunAge", silenceSeconds, warmUpMinutes: warmUp(HOUR) };
}

/**
 * A new alarm sees no heartbeat yet; without a warm-up every heartbeat alarm would page on the
 * first deploy, before each job's first scheduled run.
 */
function warmUp(rangeSeconds: number): number {
  return Math.min(MAX_WARM_UP_MINUTES, Math.ceil(rangeSeconds / 60));
}

/** "7 days 4 hours 5 minutes": for alarm descriptions a person reads. */
export function describeDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [
    ["day", 86_400],
    ["hour", HOUR],
    ["minute", 60],
    ["second", 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? "" : "s"}`);
  }
  return parts.length > 0 ? parts.join(" ") : "0 seconds";
}
