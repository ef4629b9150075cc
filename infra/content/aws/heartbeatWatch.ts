/**
 * How long a scheduled job may stay silent on a host before that silence pages, and how CloudWatch
 * watches for it per host. Pure.
 *
 * A job publishes `JobHeartbeat` once per run, at the end, whatever the outcome. Two heartbeats are
 * at most (longest gap between scheduled starts) + (one run's allowance) apart, so silence longer
 * than that, plus a grace for delivery, means the job did not run.
 *
 * Every figure carries the `Host` dimension, and the alarms watch each host through a Metrics
 * Insights query grouped by `Host` (infra/catalog/metricsInsights.ts), which CloudWatch evaluates
 * over the latest 3 hours only (AWS: alarm-limits.html, "Only the latest 3 hours of data can be
 * used for evaluating the alarm's conditions"). A host whose job has been silent for longer drops
 * out of such a query altogether, so silence is watched through a figure that keeps coming:
 * `JobLastRunAgeSeconds`, which each host's health check publishes every few minutes for every
 * job. Only the health check itself is watched through its own heartbeats (N of N periods empty,
 * missing data breaching), and its window must fit the 3 hours.
 */

/** Time for a heartbeat to be published and become visible to alarms. */
export const DELIVERY_GRACE_SECONDS = 300;

const HOUR = 3600;
/** CloudWatch evaluates an alarm on a Metrics Insights query over the latest 3 hours only. */
export const INSIGHTS_MAX_RANGE = 3 * HOUR;
/** The health check's heartbeats are counted in 5-minute periods. */
const HEARTBEAT_PERIOD = 300;
/** CloudWatch accepts warm-up periods of 1 to 2,880 minutes. */
const MAX_WARM_UP_MINUTES = 2880;

export type HeartbeatWatch =
  /** N of N periods without a heartbeat from a host page (the health check only). */
  | {
      readonly kind: "heartbeats";
      readonly silenceSeconds: number;
      readonly periodSeconds: number;
      readonly evaluationPeriods: number;
      readonly warmUpMinutes: number;
    }
  /** `JobLastRunAgeSeconds` of a host above `silenceSeconds` pages. */
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
  /** The schedule expression, for messages. */
  readonly expression: string;
  /**
   * True for the job that publishes `JobLastRunAgeSeconds` (the health check): nothing else
   * reports its silence, so its own heartbeats are watched.
   */
  readonly ownHeartbeat: boolean;
}

/**
 * The longest gap between scheduled starts (seconds) a job watched through its own heartbeats may
 * leave: its window (silence plus one period, in whole periods) must fit the 3 hours a Metrics
 * Insights alarm evaluates. 9,900 s (2 hours 45 minutes) for the health check's 300 s allowance.
 *
 * @param timeoutSeconds the job's run allowance (`Job.timeoutSeconds`)
 */
export function maxOwnHeartbeatGapSeconds(timeoutSeconds: number): number {
  const periods = INSIGHTS_MAX_RANGE / HEARTBEAT_PERIOD - 1;
  return periods * HEARTBEAT_PERIOD - timeoutSeconds - DELIVERY_GRACE_SECONDS;
}

/**
 * Why a job watched through its own heartbeats cannot be watched with this schedule, or
 * `undefined` when it can (its gap is at most `maxOwnHeartbeatGapSeconds`). Names the silence,
 * the 3 hours and the longest gap allowed.
 */
export function ownHeartbeatProblem(
  inputs: Pick<HeartbeatInputs, "maxGapSeconds" | "timeoutSeconds" | "expression">,
): string | undefined {
  const maxGap = maxOwnHeartbeatGapSeconds(inputs.timeoutSeconds);
  if (inputs.maxGapSeconds <= maxGap) return undefined;
  const silenceSeconds = inputs.maxGapSeconds + inputs.timeoutSeconds + DELIVERY_GRACE_SECONDS;
  return `schedule ${inputs.expression} leaves ${describeDuration(silenceSeconds)} of silence before it pages, but a per-host heartbeat alarm sees only the latest ${describeDuration(INSIGHTS_MAX_RANGE)}: schedule the health check at least every ${describeDuration(maxGap)}`;
}

/**
 * The silence after which a job pages and how it is watched. Throws `ownHeartbeatProblem`'s
 * message when a job watched through its own heartbeats would need a window longer than the 3
 * hours a Metrics Insights alarm evaluates (the stack config refuses such a health schedule first:
 * infra/config/healthSchedule.ts).
 */
export function heartbeatWatch(inputs: HeartbeatInputs): HeartbeatWatch {
  const silenceSeconds = inputs.maxGapSeconds + inputs.timeoutSeconds + DELIVERY_GRACE_SECONDS;
  if (inputs.ownHeartbeat) {
    const problem = ownHeartbeatProblem(inputs);
    if (problem !== undefined) throw new Error(problem);
    // One extra period: the window's edges fall between period boundaries.
    const evaluationPeriods = Math.ceil(silenceSeconds / HEARTBEAT_PERIOD) + 1;
    const range = HEARTBEAT_PERIOD * evaluationPeriods;
    return {
      kind: "heartbeats",
      silenceSeconds,
      periodSeconds: HEARTBEAT_PERIOD,
      evaluationPeriods,
      warmUpMinutes: warmUp(range),
    };
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
