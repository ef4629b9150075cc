/**
 * The Metrics Insights queries the per-host alarms watch: exact text, a round trip through the
 * parser the policy pack uses, and every input that cannot go into a query unescaped refused.
 */
import { describe, expect, test } from "vitest";
import {
  parseInsightsQuery,
  renderInsightsQuery,
  type InsightsQuery,
} from "../../infra/catalog/metricsInsights";

const AGE: InsightsQuery = {
  namespace: "StellarInsights/Backup",
  metricName: "BackupAgeSeconds",
  statistic: "Maximum",
  where: { BackupType: "postgres" },
  groupBy: "Host",
};

describe("renderInsightsQuery", () => {
  test("one series per host, the schema exactly the metric's dimensions", () => {
    expect(renderInsightsQuery(AGE)).toBe(
      `SELECT MAX(BackupAgeSeconds) FROM SCHEMA("StellarInsights/Backup", BackupType, Host) WHERE BackupType = 'postgres' GROUP BY Host`,
    );
    expect(
      renderInsightsQuery({
        ...AGE,
        metricName: "JobHeartbeat",
        statistic: "Sum",
        where: { Job: "health-check" },
      }),
    ).toBe(
      `SELECT SUM(JobHeartbeat) FROM SCHEMA("StellarInsights/Backup", Host, Job) WHERE Job = 'health-check' GROUP BY Host`,
    );
  });

  test.each<[string, Partial<InsightsQuery>, string]>([
    [
      "a quote in a value",
      { where: { BackupType: "it's" } },
      `Metrics Insights dimension value "it's" is not allowed`,
    ],
    [
      "a namespace with a quote",
      { namespace: 'a"b' },
      `Metrics Insights namespace "a\\"b" is not allowed`,
    ],
    [
      "a metric name with a space",
      { metricName: "Backup Age" },
      `Metrics Insights metric name "Backup Age" is not allowed`,
    ],
    [
      "grouping by a fixed dimension",
      { where: { Host: "a" } },
      "Metrics Insights query groups by Host, which WHERE already fixes",
    ],
  ])("refuses %s", (_name, change, message) => {
    expect(() => renderInsightsQuery({ ...AGE, ...change })).toThrow(message);
  });
});

describe("parseInsightsQuery", () => {
  test("gives back what was rendered, for every statistic and several WHERE clauses", () => {
    for (const statistic of ["Maximum", "Minimum", "Sum"] as const) {
      const q: InsightsQuery = { ...AGE, statistic, where: { BackupType: "wal", Job: "x-y" } };
      expect(parseInsightsQuery(renderInsightsQuery(q))).toEqual(q);
    }
  });

  test.each([
    ["a metric math expression", "age / 3600"],
    ["a query without GROUP BY", `SELECT MAX(A) FROM SCHEMA("ns", Job) WHERE Job = 'x'`],
    [
      "a schema that is not WHERE + GROUP BY",
      `SELECT MAX(A) FROM SCHEMA("ns", Job, Host, Extra) WHERE Job = 'x' GROUP BY Host`,
    ],
    ["another function", `SELECT AVG(A) FROM SCHEMA("ns", Host) GROUP BY Host`],
  ])("is undefined for %s", (_name, text) => {
    expect(parseInsightsQuery(text)).toBeUndefined();
  });
});
