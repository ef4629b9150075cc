/**
 * CloudWatch Metrics Insights queries that watch one metric per host: rendered for the alarms,
 * parsed back by the policy pack and the sandbox tests, so the three agree on one text.
 *
 * Why Metrics Insights: every figure a host publishes carries `Host`, and a plain metric alarm
 * watches exactly one dimension set, so it would need the stack to list every host. An alarm on a
 * Metrics Insights query with `GROUP BY Host` evaluates each returned time series as a contributor
 * of its own and picks up hosts as they start publishing (AWS: "Create a CloudWatch alarm based on
 * a Metrics Insights query", docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
 * Create_Metrics_Insights_Alarm.html; "For multi-time series queries, each returned time series
 * becomes a contributor to the alarm"). Its limits (alarm-limits.html): only the latest 3 hours are
 * evaluated, 200 such alarms per account and Region, 500 time series per query.
 *
 * Grammar (cloudwatch-metrics-insights-querylanguage.html): `SELECT FUNCTION(metric) FROM
 * SCHEMA("namespace", Dim, ...) WHERE Dim = 'value' [AND ...] GROUP BY Dim`. `SCHEMA(...)` with
 * the exact dimension keys matches only metrics with exactly those dimensions, as a plain alarm does.
 *
 * Pure module: no Pulumi import.
 */

/** Metrics Insights aggregate functions the alarms use (AVG, COUNT exist too). */
export const INSIGHTS_FUNCTIONS = { Maximum: "MAX", Minimum: "MIN", Sum: "SUM" } as const;
export type InsightsStatistic = keyof typeof INSIGHTS_FUNCTIONS;

export interface InsightsQuery {
  readonly namespace: string;
  readonly metricName: string;
  readonly statistic: InsightsStatistic;
  /** Dimension → the one value it must have (the metric's fixed dimensions, e.g. `Job`). */
  readonly where: Readonly<Record<string, string>>;
  /** The dimension each time series is about (`Host`); also part of the schema. */
  readonly groupBy: string;
}

/** Names and namespaces go into the query unquoted or in quotes: keep them to safe characters. */
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const VALUE = /^[A-Za-z0-9._/ :-]+$/;
const NAMESPACE = /^[A-Za-z0-9._/#:-]+$/;

function checkPart(what: string, value: string, pattern: RegExp): void {
  if (!pattern.test(value))
    throw new Error(
      `Metrics Insights ${what} ${JSON.stringify(value)} is not allowed: must match ${pattern}`,
    );
}

/**
 * The query text, e.g. `SELECT MAX(BackupAgeSeconds) FROM SCHEMA("StellarInsights/Backup",
 * BackupType, Host) WHERE BackupType = 'postgres' GROUP BY Host`. Schema keys are sorted, WHERE
 * clauses in key order, so equal queries are equal strings. Throws on a name or value that would
 * need escaping (none of the catalog's do).
 */
export function renderInsightsQuery(q: InsightsQuery): string {
  checkPart("namespace", q.namespace, NAMESPACE);
  checkPart("metric name", q.metricName, NAME);
  checkPart("dimension", q.groupBy, NAME);
  const whereKeys = Object.keys(q.where).sort();
  for (const key of whereKeys) {
    checkPart("dimension", key, NAME);
    checkPart("dimension value", q.where[key], VALUE);
  }
  if (whereKeys.includes(q.groupBy))
    throw new Error(`Metrics Insights query groups by ${q.groupBy}, which WHERE already fixes`);
  const schema = [...whereKeys, q.groupBy].sort();
  const where = whereKeys.map((k) => `${k} = '${q.where[k]}'`).join(" AND ");
  return (
    `SELECT ${INSIGHTS_FUNCTIONS[q.statistic]}(${q.metricName}) ` +
    `FROM SCHEMA("${q.namespace}", ${schema.join(", ")})` +
    (where ? ` WHERE ${where}` : "") +
    ` GROUP BY ${q.groupBy}`
  );
}

const QUERY =
  /^SELECT (MAX|MIN|SUM)\(([A-Za-z0-9_]+)\) FROM SCHEMA\("([^"]+)"((?:, [A-Za-z0-9_]+)+)\)(?: WHERE (.+?))? GROUP BY ([A-Za-z0-9_]+)$/;
const CLAUSE = /^([A-Za-z0-9_]+) = '([^']*)'$/;

/**
 * The query `renderInsightsQuery` wrote, back as its parts; `undefined` for any other text
 * (another shape of query, or a metric math expression). Checks that the schema's keys are exactly
 * the WHERE keys plus the GROUP BY key.
 */
export function parseInsightsQuery(expression: string): InsightsQuery | undefined {
  const m = QUERY.exec(expression);
  if (!m) return undefined;
  const [, fn, metricName, namespace, schemaText, whereText, groupBy] = m;
  const statistic = (Object.keys(INSIGHTS_FUNCTIONS) as InsightsStatistic[]).find(
    (s) => INSIGHTS_FUNCTIONS[s] === fn,
  );
  if (statistic === undefined) return undefined;
  const where: Record<string, string> = {};
  for (const clause of whereText ? whereText.split(" AND ") : []) {
    const c = CLAUSE.exec(clause);
    if (!c) return undefined;
    where[c[1]] = c[2];
  }
  const schema = schemaText.slice(2).split(", ").sort();
  const expected = [...Object.keys(where), groupBy].sort();
  if (JSON.stringify(schema) !== JSON.stringify(expected)) return undefined;
  return { namespace, metricName, statistic, where, groupBy };
}
