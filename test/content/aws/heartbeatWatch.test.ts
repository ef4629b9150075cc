/**
 * How long a job may stay silent on a host, and how CloudWatch watches for it within the 3 hours a
 * Metrics Insights alarm evaluates.
 */
import { describe, expect, test } from "vitest";
import { DEFAULT_SCHEDULES, JOBS, JOB_KEYS, parseScheduleExpression } from "../../../infra/catalog";
import {
  INSIGHTS_MAX_RANGE,
  describeDuration,
  heartbeatWatch,
} from "../../../infra/content/aws/heartbeatWatch";

const HOUR = 3600;
const DAY = 86_400;
const FROM = new Date("2026-01-01T00:00:00Z");

function watch(expression: string, timeoutSeconds: number, timezone = "UTC", ownHeartbeat = true) {
  const parsed = parseScheduleExpression(expression, { timezone, from: FROM });
  if (!parsed.ok) throw new Error(parsed.reason);
  return heartbeatWatch({
    maxGapSeconds: parsed.maxGapSeconds,
    timeoutSeconds,
    expression,
    ownHeartbeat,
  });
}

describe("the health check is watched by its own heartbeats, within 3 hours", () => {
  test.each<[string, number, string, ReturnType<typeof heartbeatWatch>]>([
    [
      "every 5 minutes, 5-minute runs: 4 periods of 5 minutes",
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
      "hourly, 30-minute runs: 20 periods",
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
  ])("%s", (_name, timeout, expression, expected) => {
    expect(watch(expression, timeout)).toEqual(expected);
  });

  test("a window past the 3 hours a Metrics Insights alarm evaluates is refused", () => {
    expect(() => watch("rate(3 hours)", 300)).toThrow(
      "schedule rate(3 hours) leaves 3 hours 10 minutes of silence before it pages, but a per-host heartbeat alarm sees only the latest 3 hours: schedule the health check at least every 2 hours 45 minutes",
    );
    const longest = watch("rate(150 minutes)", 300);
    expect(longest.kind).toBe("heartbeats");
    if (longest.kind === "heartbeats")
      expect(longest.periodSeconds * longest.evaluationPeriods).toBeLessThanOrEqual(
        INSIGHTS_MAX_RANGE,
      );
  });
});

describe("every other job is watched by its last-run age, whatever its schedule", () => {
  test.each<[string, number, string, number]>([
    ["hourly, 30-minute runs", 1800, "cron(30 * * * ? *)", 5700],
    ["daily, 4-hour runs", 4 * HOUR, "cron(0 2 * * ? *)", DAY + 4 * HOUR + 300],
    ["weekly, 4-hour runs", 4 * HOUR, "cron(0 6 ? * SUN *)", 7 * DAY + 4 * HOUR + 300],
  ])("%s", (_name, timeout, expression, silenceSeconds) => {
    expect(watch(expression, timeout, "UTC", false)).toEqual({
      kind: "lastRunAge",
      silenceSeconds,
      warmUpMinutes: 60,
    });
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
      expect(watch(expression, 4 * HOUR, zone, false).silenceSeconds).toBe(gap + 4 * HOUR + 300);
    },
  );

  test("every catalog job but the health check is watched by its last-run age with the catalog's schedules", () => {
    for (const key of JOB_KEYS) {
      const w = watch(
        DEFAULT_SCHEDULES[JOBS[key].scheduleKey],
        JOBS[key].timeoutSeconds,
        "UTC",
        key === "health-check",
      );
      expect(w.kind, key).toBe(key === "health-check" ? "heartbeats" : "lastRunAge");
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
