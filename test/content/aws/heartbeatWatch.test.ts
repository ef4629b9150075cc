/**
 * How long a job may stay silent, and how CloudWatch watches for it within its limits.
 */
import { describe, expect, test } from "vitest";
import { DEFAULT_SCHEDULES, JOBS, JOB_KEYS, parseScheduleExpression } from "../../../infra/catalog";
import {
  MAX_RANGE,
  MAX_RANGE_SHORT_PERIODS,
  describeDuration,
  heartbeatWatch,
} from "../../../infra/content/aws/heartbeatWatch";

const HOUR = 3600;
const DAY = 86_400;
const FROM = new Date("2026-01-01T00:00:00Z");

function watch(expression: string, timeoutSeconds: number, timezone = "UTC") {
  const parsed = parseScheduleExpression(expression, { timezone, from: FROM });
  if (!parsed.ok) throw new Error(parsed.reason);
  return heartbeatWatch({ maxGapSeconds: parsed.maxGapSeconds, timeoutSeconds });
}

describe("the window fits the schedule and CloudWatch's limits", () => {
  test.each<[string, number, string, ReturnType<typeof heartbeatWatch>]>([
    [
      "every 5 minutes, 5-minute runs: 5-minute periods",
      300,
      "rate(5 minutes)",
      {
        kind: "heartbeats",
        silenceSeconds: 900,
        periodSeconds: 300,
        evaluationPeriods: 4,
        warmUpMinutes: 20,
      },
    ],
    [
      "hourly, 30-minute runs",
      1800,
      "cron(5 * * * ? *)",
      {
        kind: "heartbeats",
        silenceSeconds: 5700,
        periodSeconds: 300,
        evaluationPeriods: 20,
        warmUpMinutes: 100,
      },
    ],
    [
      "daily, 4-hour runs: past 1 day, so hourly periods",
      4 * HOUR,
      "cron(0 2 * * ? *)",
      {
        kind: "heartbeats",
        silenceSeconds: DAY + 4 * HOUR + 300,
        periodSeconds: HOUR,
        evaluationPeriods: 30,
        warmUpMinutes: 1800,
      },
    ],
    [
      "every 6 days, 1-hour runs: hourly periods up to 7 days",
      HOUR,
      "rate(6 days)",
      {
        kind: "heartbeats",
        silenceSeconds: 6 * DAY + HOUR + 300,
        periodSeconds: HOUR,
        evaluationPeriods: 147,
        warmUpMinutes: 2880,
      },
    ],
    [
      "weekly: more than 7 days between heartbeats, so the health check's last-run age",
      4 * HOUR,
      "cron(0 6 ? * SUN *)",
      { kind: "lastRunAge", silenceSeconds: 7 * DAY + 4 * HOUR + 300, warmUpMinutes: 60 },
    ],
  ])("%s", (_name, timeout, expression, expected) => {
    expect(watch(expression, timeout)).toEqual(expected);
  });

  test.each<[string, string, number]>([
    // 02:00 does not exist on the spring-forward day: that run is skipped.
    ["cron(0 2 * * ? *)", "Europe/Berlin", 47 * HOUR],
    // 01:00 always exists; the fall-back day is 25 hours long.
    ["cron(0 1 * * ? *)", "Europe/Berlin", 25 * HOUR],
    // The repeated hour runs once.
    ["cron(30 * * * ? *)", "Europe/Berlin", 2 * HOUR],
    ["cron(0 2 * * ? *)", "UTC", DAY],
    // A rate counts real time: daylight saving time does not move it.
    ["rate(1 day)", "Europe/Berlin", DAY],
  ])(
    "%s in %s: silence = the real longest gap (%i s) + run allowance + grace",
    (expression, zone, gap) => {
      expect(watch(expression, 4 * HOUR, zone).silenceSeconds).toBe(gap + 4 * HOUR + 300);
    },
  );

  test("every catalog job's window covers its silence and stays inside CloudWatch's evaluation range", () => {
    for (const key of JOB_KEYS) {
      const w = watch(DEFAULT_SCHEDULES[JOBS[key].scheduleKey], JOBS[key].timeoutSeconds);
      if (w.kind !== "heartbeats") {
        expect(key).toBe("pg-restore-test");
        continue;
      }
      const range = w.periodSeconds * w.evaluationPeriods;
      expect(range, key).toBeGreaterThanOrEqual(w.silenceSeconds + w.periodSeconds);
      expect(range, key).toBeLessThanOrEqual(
        w.periodSeconds < HOUR ? MAX_RANGE_SHORT_PERIODS : MAX_RANGE,
      );
      expect(w.warmUpMinutes).toBeLessThanOrEqual(2880);
    }
  });
});

test.each<[number, string]>([
  [7 * DAY + 4 * HOUR + 300, "7 days 4 hours 5 minutes"],
  [HOUR, "1 hour"],
  [90, "1 minute 30 seconds"],
  [0, "0 seconds"],
])("describeDuration(%i) = %s", (seconds, text) => {
  expect(describeDuration(seconds)).toBe(text);
});
