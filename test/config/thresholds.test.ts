/**
 * Alarm thresholds, the post-deploy check flag and the snapshot schedule's DLM form in stack config: the runbook's values by default,
 * every out-of-range value reported with its key, value and what is allowed.
 */
import { describe, expect, test } from "vitest";
import { DEFAULT_THRESHOLDS } from "../../infra/catalog";
import { validateStackConfig } from "../../infra/config/validate";

const REGION = "us-east-1";
const MINIMAL = { alertEmail: "devops@stellar-insights.com" } as const;

function validate(raw: Record<string, string>) {
  return validateStackConfig({ ...MINIMAL, ...raw }, REGION);
}

describe("defaults", () => {
  test("are the runbook's alert limits, with the post-deploy check on", () => {
    const result = validate({});
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.config.thresholds).toEqual({
      backupAgeHours: 24,
      walArchiveLagMinutes: 15,
      diskUsagePercent: 80,
      evaluationPeriods: 2,
    });
    expect(result.config.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(result.config.postDeployCheck).toBe(true);
  });

  test("a stack overrides one threshold and keeps the others", () => {
    const result = validate({
      thresholds: '{"diskUsagePercent":70,"restoreTestRtoMinutes":45}',
      postDeployCheck: "false",
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.config.thresholds).toEqual({
      ...DEFAULT_THRESHOLDS,
      diskUsagePercent: 70,
      restoreTestRtoMinutes: 45,
    });
    expect(result.config.postDeployCheck).toBe(false);
  });

  test("a faster postgres schedule lowers the smallest allowed backup age", () => {
    const result = validate({
      schedules: '{"postgres":"cron(0 */6 * * ? *)"}',
      thresholds: '{"backupAgeHours":6}',
    });
    expect(result.ok).toBe(true);
  });
});

describe("every rule has a failing case with its exact message", () => {
  const AGE = (from: number) =>
    `must be a whole number of hours from ${from} (the postgres schedule's longest gap: lower pages between two good backups) to 24 (the postgres RPO: higher pages only after the RPO is lost)`;
  const LAG =
    "must be a whole number of minutes from 1 to 15 (the wal RPO: higher pages only after the RPO is lost)";

  test.each<[string, Record<string, string>, string, unknown, string]>([
    [
      "thresholds not a map",
      { thresholds: "24" },
      "thresholds",
      "24",
      "must be an object (a YAML map)",
    ],
    [
      "unknown threshold",
      { thresholds: '{"cpuPercent":90}' },
      "thresholds.cpuPercent",
      90,
      "unknown threshold; allowed: backupAgeHours, walArchiveLagMinutes, diskUsagePercent, evaluationPeriods, restoreTestRtoMinutes",
    ],
    [
      "backup age above the postgres RPO",
      { thresholds: '{"backupAgeHours":25}' },
      "thresholds.backupAgeHours",
      25,
      AGE(24),
    ],
    [
      "backup age below the daily schedule's gap",
      { thresholds: '{"backupAgeHours":12}' },
      "thresholds.backupAgeHours",
      12,
      AGE(24),
    ],
    [
      "backup age below a 6-hourly schedule's gap",
      { schedules: '{"postgres":"cron(0 */6 * * ? *)"}', thresholds: '{"backupAgeHours":5}' },
      "thresholds.backupAgeHours",
      5,
      AGE(6),
    ],
    [
      "backup age not whole",
      { thresholds: '{"backupAgeHours":23.5}' },
      "thresholds.backupAgeHours",
      23.5,
      AGE(24),
    ],
    [
      "WAL lag above the wal RPO",
      { thresholds: '{"walArchiveLagMinutes":16}' },
      "thresholds.walArchiveLagMinutes",
      16,
      LAG,
    ],
    [
      "WAL lag zero",
      { thresholds: '{"walArchiveLagMinutes":0}' },
      "thresholds.walArchiveLagMinutes",
      0,
      LAG,
    ],
    [
      "disk use at 100 %",
      { thresholds: '{"diskUsagePercent":100}' },
      "thresholds.diskUsagePercent",
      100,
      "must be a whole percentage from 1 to 99",
    ],
    [
      "disk use as text",
      { thresholds: '{"diskUsagePercent":"eighty"}' },
      "thresholds.diskUsagePercent",
      "eighty",
      "must be a whole percentage from 1 to 99",
    ],
    [
      "evaluation periods zero",
      { thresholds: '{"evaluationPeriods":0}' },
      "thresholds.evaluationPeriods",
      0,
      "must be a whole number from 1 to 10 (consecutive 5-minute health-check periods)",
    ],
    [
      "evaluation periods eleven",
      { thresholds: '{"evaluationPeriods":11}' },
      "thresholds.evaluationPeriods",
      11,
      "must be a whole number from 1 to 10 (consecutive 5-minute health-check periods)",
    ],
    [
      "restore-test RTO over a day",
      { thresholds: '{"restoreTestRtoMinutes":1441}' },
      "thresholds.restoreTestRtoMinutes",
      1441,
      "must be a whole number of minutes from 1 to 1440 (the weekly restore test's time to a queryable database)",
    ],
    [
      "snapshot schedule DLM cannot read",
      { schedules: '{"snapshots":"rate(7 days)"}' },
      "schedules.snapshots",
      "rate(7 days)",
      "must be a cron(...) expression: Data Lifecycle Manager takes no rate() (and reads cron in UTC)",
    ],
    [
      "post-deploy check not a boolean",
      { postDeployCheck: "yes" },
      "postDeployCheck",
      "yes",
      "must be true or false",
    ],
  ])("%s", (_name, raw, key, value, message) => {
    const result = validate(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([{ key, value, message }]);
  });

  test("every bad threshold is reported at once", () => {
    const result = validate({
      thresholds: '{"diskUsagePercent":0,"evaluationPeriods":20,"walArchiveLagMinutes":60}',
    });
    if (result.ok) throw new Error("expected problems");
    expect(result.problems.map((p) => p.key)).toEqual([
      "thresholds.diskUsagePercent",
      "thresholds.evaluationPeriods",
      "thresholds.walArchiveLagMinutes",
    ]);
  });
});
