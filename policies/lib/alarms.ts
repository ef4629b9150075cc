/**
 * Which CloudWatch metric alarms watch which metric: a plain metric alarm names it directly, a
 * metric-math alarm names it in one of its `metricQueries`, and a per-host alarm in the Metrics
 * Insights query of one of them (`expression`; its WHERE clauses are the fixed dimensions).
 */
import { parseInsightsQuery } from "../../infra/catalog";
import type { MetricAlarmProps, MetricQueryMetricProps, MetricQueryProps } from "./awsProps";
import { isUnknown, list, record } from "./known";
import type { StackView, ViewResource } from "./stackView";

export interface WatchedMetric {
  readonly metricName: unknown;
  readonly dimensions: unknown;
}

function watchedMetrics(props: MetricAlarmProps): WatchedMetric[] {
  const direct = { metricName: props.metricName, dimensions: props.dimensions };
  const queried = list(props.metricQueries).map((q) => {
    const query = (record(q) ?? {}) as MetricQueryProps;
    if (isUnknown(query.expression)) return { metricName: query.expression, dimensions: {} };
    const insights =
      typeof query.expression === "string" ? parseInsightsQuery(query.expression) : undefined;
    if (insights) return { metricName: insights.metricName, dimensions: insights.where };
    const metric = (record(query.metric) ?? {}) as MetricQueryMetricProps;
    return { metricName: metric.metricName, dimensions: metric.dimensions };
  });
  return [direct, ...queried];
}

export interface AlarmSearch {
  readonly alarms: ViewResource[];
  /** Some alarm's metric or dimensions are unknown during preview: absence proves nothing yet. */
  readonly undetermined: boolean;
}

/** Metric alarms on `metricName` whose dimension `dimension` is `value`. */
export function alarmsOn(
  view: StackView,
  metricName: string,
  dimension: string,
  value: string,
): AlarmSearch {
  const alarms: ViewResource[] = [];
  let undetermined = false;
  for (const alarm of view.ofKind("metricAlarm")) {
    const props = alarm.props as MetricAlarmProps;
    if (isUnknown(props.metricQueries)) {
      undetermined = true;
      continue;
    }
    const hit = watchedMetrics(props).some((m) => {
      const dims = record(m.dimensions);
      const dimValue = dims?.[dimension];
      if (isUnknown(m.metricName) || isUnknown(m.dimensions) || isUnknown(dimValue)) {
        undetermined = true;
        return false;
      }
      return m.metricName === metricName && dimValue === value;
    });
    if (hit) alarms.push(alarm);
  }
  return { alarms, undetermined };
}
