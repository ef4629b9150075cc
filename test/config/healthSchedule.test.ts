/**
 * `schedules.health` against the 3 hours its heartbeat alarm can see: refused by the stack config's
 * validation with every other problem, naming the key, at the same ceiling the alarm is built with.
 */
import { expect, test } from "vitest";
import { formatProblems } from "../../infra/config/stackConfig";
import { validateStackConfig } from "../../infra/config/validate";
import { heartbeatWatch, maxOwnHeartbeatGapSeconds } from "../../infra/content/aws/heartbeatWatch";

const NOW = new Date("2026-01-01T12:00:00Z");

function problemsOf(raw: Record<string, string>) {
  const result = validateStackConfig(raw, "us-east-1", { now: NOW });
  return result.ok ? [] : result.problems;
}

test("the ceiling is 2 hours 45 minutes for the health check's 5-minute run, and the alarm accepts exactly that", () => {
  expect(maxOwnHeartbeatGapSeconds(300)).toBe(9900);
  const watch = (gap: number) =>
    heartbeatWatch({
      maxGapSeconds: gap,
      timeoutSeconds: 300,
      expression: "x",
      ownHeartbeat: true,
    });
  expect(watch(9900)).toMatchObject({ kind: "heartbeats", evaluationPeriods: 36 });
  expect(() => watch(9901)).toThrow("schedule the health check at least every 2 hours 45 minutes");
});

test("rate(165 minutes) passes, rate(170 minutes) does not", () => {
  expect(
    problemsOf({ alertEmail: "ops@example.com", schedules: '{"health":"rate(165 minutes)"}' }),
  ).toEqual([]);
  expect(
    problemsOf({ alertEmail: "ops@example.com", schedules: '{"health":"rate(170 minutes)"}' }).map(
      (p) => p.key,
    ),
  ).toEqual(["schedules.health"]);
});

test("a health schedule too sparse for its alarm is a config problem reported with the others, naming the key", () => {
  const problems = problemsOf({
    bucketName: "Bad_Bucket",
    schedules: '{"health":"rate(4 hours)"}',
  });
  expect(problems.map((p) => p.key)).toEqual(["bucketName", "schedules.health", "alertEmail"]);
  expect(formatProblems("stellar-insights-backup", problems)).toContain(
    '  - stellar-insights-backup:schedules.health = "rate(4 hours)": schedule rate(4 hours) leaves 4 hours 10 minutes of silence before it pages, but a per-host heartbeat alarm sees only the latest 3 hours: schedule the health check at least every 2 hours 45 minutes (the default is rate(5 minutes))',
  );
});
