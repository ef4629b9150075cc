/**
 * The health check's schedule against the window its heartbeat alarm can see. Pure module.
 *
 * The health check is the one job watched through its own heartbeats (infra/content/aws/heartbeatWatch.ts),
 * in a Metrics Insights alarm that evaluates the latest 3 hours only, so its schedule has a ceiling
 * the other schedules do not. Checked with the rest of the stack config, so it is reported with
 * every other problem and names `schedules.health`, instead of failing while the alarms are built.
 */
import { DEFAULT_SCHEDULES, JOBS, parseScheduleExpression } from "../catalog";
import { HEALTH_CHECK_JOB } from "../content/aws/alarmDefinitions";
import { ownHeartbeatProblem } from "../content/aws/heartbeatWatch";

/**
 * Why `expression`, read in `timezone`, leaves the health check silent longer than its alarm can
 * see, or `undefined` when it does not (or does not parse: its own rules say so).
 *
 * @param now start of the simulated runs
 */
export function healthScheduleProblem(
  expression: string,
  timezone: string,
  now: Date,
): string | undefined {
  const parsed = parseScheduleExpression(expression, { timezone, from: now });
  if (!parsed.ok) return undefined;
  const problem = ownHeartbeatProblem({
    maxGapSeconds: parsed.maxGapSeconds,
    timeoutSeconds: JOBS[HEALTH_CHECK_JOB].timeoutSeconds,
    expression,
  });
  return problem && `${problem} (the default is ${DEFAULT_SCHEDULES.health})`;
}
