/**
 * What a per-host alarm's Metrics Insights query returns, evaluated over the data moto's CloudWatch
 * stores. moto keeps every datum with its dimensions but runs no Metrics Insights query (its
 * GetMetricData answers a `SELECT` with the sum of every datum in the period), so this does the
 * query's part with the APIs moto does implement: ListMetrics by name and WHERE dimensions, only
 * series whose dimension keys are exactly the query's schema, then the query's statistic per
 * period for each series through GetMetricData, keyed by the GROUP BY dimension's value.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type Metric as CloudWatchMetric,
} from "@aws-sdk/client-cloudwatch";
import { parseInsightsQuery } from "../../../infra/catalog";
import { sandboxClientSettings } from "../../../scripts/sandbox/moto";
import type { Sandbox } from "../../../scripts/sandbox/sandbox";

export interface QueryWindow {
  readonly start: Date;
  readonly end: Date;
  /** Seconds, as the alarm's query period. */
  readonly period: number;
}

/**
 * `GROUP BY` value (a host) → the statistic's values in the window, oldest first (empty: the host
 * published nothing in the window, which the alarm counts as missing data). Throws on a query the
 * alarms do not write.
 */
export async function evaluateInsightsQuery(
  sb: Sandbox,
  expression: string,
  window: QueryWindow,
): Promise<Map<string, number[]>> {
  const query = parseInsightsQuery(expression);
  if (query === undefined) throw new Error(`not a per-host alarm query: ${expression}`);
  const schema = [...Object.keys(query.where), query.groupBy].sort();
  const cw = new CloudWatchClient(sandboxClientSettings(sb.moto.endpoint, sb.hostConfig.region));
  try {
    // moto lists a metric with two or more dimensions once per PutMetricData that created it
    // (its dimension comparison only holds for one dimension): keep one per dimension set.
    const series = new Map<string, CloudWatchMetric>();
    let nextToken: string | undefined;
    do {
      const page = await cw.send(
        new ListMetricsCommand({
          Namespace: query.namespace,
          MetricName: query.metricName,
          Dimensions: Object.entries(query.where).map(([Name, Value]) => ({ Name, Value })),
          NextToken: nextToken,
        }),
      );
      for (const m of page.Metrics ?? []) {
        const keys = (m.Dimensions ?? []).map((d) => d.Name ?? "").sort();
        if (m.Namespace === query.namespace && JSON.stringify(keys) === JSON.stringify(schema))
          series.set(JSON.stringify((m.Dimensions ?? []).map((d) => [d.Name, d.Value]).sort()), m);
      }
      nextToken = page.NextToken;
    } while (nextToken);

    const result = new Map<string, number[]>();
    for (const m of series.values()) {
      const group = m.Dimensions?.find((d) => d.Name === query.groupBy)?.Value ?? "";
      const data = await cw.send(
        new GetMetricDataCommand({
          StartTime: window.start,
          EndTime: window.end,
          MetricDataQueries: [
            {
              Id: "q",
              MetricStat: { Metric: m, Period: window.period, Stat: query.statistic },
              ReturnData: true,
            },
          ],
        }),
      );
      const r = data.MetricDataResults?.[0];
      const values = (r?.Timestamps ?? [])
        .map((t, i) => ({ t: t.getTime(), v: r?.Values?.[i] ?? NaN }))
        .sort((a, b) => a.t - b.t)
        .map((p) => p.v);
      result.set(group, [...(result.get(group) ?? []), ...values]);
    }
    return result;
  } finally {
    cw.destroy();
  }
}
