/**
 * The state a planned CloudWatch alarm would be in at a given moment, per host, evaluated over the
 * data moto's CloudWatch stores (moto keeps metrics but never evaluates an alarm). The alarm is
 * read from the plan as `aws.cloudwatch.MetricAlarm` inputs, so what is evaluated is what would be
 * deployed:
 * - a plain metric alarm (namespace, metric, dimensions): its one series; with `Host` among its
 *   dimensions that host is its only contributor, whether or not it published anything;
 * - a Metrics Insights alarm (one `metricQueries` entry with a `SELECT … GROUP BY Host`): one
 *   contributor per host whose series has data in the latest 3 hours, the only range CloudWatch
 *   evaluates such an alarm over (AWS: alarm-limits.html).
 * Each contributor's latest `evaluationPeriods` periods, the one holding the moment included, are taken; a period
 * without a datum is missing and counts per `treatMissingData` (AWS: "Configuring how CloudWatch
 * alarms treat missing data"); `datapointsToAlarm` breaching periods make ALARM.
 */
import { Dimension, renderInsightsQuery } from "../../../infra/catalog";
import type { Sandbox } from "../../../scripts/sandbox/sandbox";
import { evaluateInsightsQuery } from "./insights";

/** The inputs of a planned `aws:cloudwatch/metricAlarm:MetricAlarm`, as far as evaluation needs. */
export interface PlannedAlarmInputs {
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly statistic?: "Sum" | "Maximum" | "Minimum";
  readonly period?: number;
  readonly metricQueries?: readonly { readonly expression?: string; readonly period?: number }[];
  readonly comparisonOperator: string;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData?: string;
}

export type AlarmState = "ALARM" | "OK";

/** CloudWatch evaluates a Metrics Insights alarm over the latest 3 hours only. */
const INSIGHTS_RANGE_MS = 3 * 3600 * 1000;

function breaches(alarm: PlannedAlarmInputs, value: number): boolean {
  switch (alarm.comparisonOperator) {
    case "GreaterThanThreshold":
      return value > alarm.threshold;
    case "GreaterThanOrEqualToThreshold":
      return value >= alarm.threshold;
    case "LessThanThreshold":
      return value < alarm.threshold;
    default:
      throw new Error(`comparison ${alarm.comparisonOperator} is not evaluated here`);
  }
}

/** The state of one contributor from its values per period (undefined: missing), oldest first. */
function stateOf(alarm: PlannedAlarmInputs, periods: readonly (number | undefined)[]): AlarmState {
  const missing = alarm.treatMissingData ?? "missing";
  if (missing !== "breaching" && missing !== "notBreaching")
    throw new Error(`treatMissingData ${missing} is not evaluated here`);
  const breaching = periods.filter((v) =>
    v === undefined ? missing === "breaching" : breaches(alarm, v),
  ).length;
  return breaching >= (alarm.datapointsToAlarm ?? alarm.evaluationPeriods) ? "ALARM" : "OK";
}

/**
 * The latest `count` periods of `period` seconds, the one holding `at` included, oldest first:
 * [start, end).
 */
function periodsEndingAt(at: Date, period: number, count: number): [number, number][] {
  const end = (Math.floor(at.getTime() / 1000 / period) + 1) * period * 1000;
  return Array.from({ length: count }, (_, i) => {
    const start = end - (count - i) * period * 1000;
    return [start, start + period * 1000];
  });
}

/**
 * Host → the alarm's state for that host at `at`. A host that is no contributor at all (absent
 * from an Insights query's result) is absent from the map: the alarm says nothing about it.
 */
export async function alarmStatePerHost(
  sb: Sandbox,
  alarm: PlannedAlarmInputs,
  at: Date,
): Promise<Map<string, AlarmState>> {
  const [query] = alarm.metricQueries ?? [];
  const result = new Map<string, AlarmState>();
  if (query?.expression !== undefined) {
    const period = query.period ?? 300;
    const perHost = await evaluateInsightsQuery(sb, query.expression, {
      start: new Date(at.getTime() - INSIGHTS_RANGE_MS),
      end: at,
      period,
    });
    // evaluateInsightsQuery lists every series moto knows; a contributor has data in the range.
    for (const [host, inRange] of perHost) {
      if (inRange.length === 0) continue;
      const windows = periodsEndingAt(at, period, alarm.evaluationPeriods);
      const values = await insightsValuesIn(sb, query.expression, windows, period);
      result.set(host, stateOf(alarm, values.get(host) ?? windows.map(() => undefined)));
    }
    return result;
  }
  const { [Dimension.host]: host, ...where } = alarm.dimensions ?? {};
  if (host === undefined) throw new Error("a plain metric alarm without a Host dimension");
  if (alarm.namespace === undefined || alarm.metricName === undefined || !alarm.statistic)
    throw new Error("a plain metric alarm without namespace, metric or statistic");
  // The one series, read through moto's listing (test/host/support/insights.ts says why).
  const series = renderInsightsQuery({
    namespace: alarm.namespace,
    metricName: alarm.metricName,
    statistic: alarm.statistic,
    where,
    groupBy: Dimension.host,
  });
  const period = alarm.period ?? 300;
  const windows = periodsEndingAt(at, period, alarm.evaluationPeriods);
  const values = await insightsValuesIn(sb, series, windows, period);
  result.set(host, stateOf(alarm, values.get(host) ?? windows.map(() => undefined)));
  return result;
}

/** Each contributor's value in each of `windows` (undefined: no datum in it). */
async function insightsValuesIn(
  sb: Sandbox,
  expression: string,
  windows: readonly [number, number][],
  period: number,
): Promise<Map<string, (number | undefined)[]>> {
  const out = new Map<string, (number | undefined)[]>();
  for (const [i, [start, end]] of windows.entries()) {
    const perHost = await evaluateInsightsQuery(sb, expression, {
      start: new Date(start),
      end: new Date(end),
      period,
    });
    for (const [host, values] of perHost) {
      const row = out.get(host) ?? windows.map(() => undefined);
      row[i] = values[0];
      out.set(host, row);
    }
  }
  return out;
}
