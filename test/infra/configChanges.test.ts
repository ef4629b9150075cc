/**
 * A new stack file that changes one threshold or one schedule changes exactly the resources derived
 * from it, and nothing else: synth the prod file and the variants as real processes, diff the plans.
 */
import { beforeAll, expect, test } from "vitest";
import { changed, inputsOf, synthVariant, type PlanFile } from "./support/synthVariant";

let prod: PlanFile;
let disk: PlanFile;
let redisSchedule: PlanFile;
let logsTwiceHourly: PlanFile;

beforeAll(async () => {
  [prod, disk, redisSchedule, logsTwiceHourly] = await Promise.all([
    synthVariant("prod", (t) => t),
    synthVariant("disk-70", (t) => t.replace("diskUsagePercent: 80", "diskUsagePercent: 70")),
    synthVariant("redis-at-45", (t) =>
      t.replace(
        "  stellar-insights-backup:schedules:\n",
        "  stellar-insights-backup:schedules:\n    redis: cron(45 * * * ? *)\n",
      ),
    ),
    synthVariant("logs-twice-hourly", (t) =>
      t.replace(
        "  stellar-insights-backup:schedules:\n",
        "  stellar-insights-backup:schedules:\n    logs: cron(5,35 * * * ? *)\n",
      ),
    ),
  ]);
});

test("a threshold changes its alarms (the backup disk's and pg_wal's) and the dashboard's line at it, nothing else", () => {
  expect(changed(prod, disk)).toEqual([
    "alarms-disk-usage",
    "alarms-pg-wal-disk-usage",
    "dashboard-dashboard",
  ]);
  expect(inputsOf(prod, "alarms-disk-usage").threshold).toBe(80);
  expect(inputsOf(disk, "alarms-disk-usage").threshold).toBe(70);
  expect(inputsOf(disk, "alarms-pg-wal-disk-usage").threshold).toBe(70);
});

test("a schedule's time changes that schedule, and only the text of its heartbeat (same gap, same window)", () => {
  expect(changed(prod, redisSchedule)).toEqual([
    "alarms-heartbeat-redis-backup",
    "job-schedules-redis-backup",
  ]);
  expect(inputsOf(redisSchedule, "job-schedules-redis-backup").scheduleExpression).toBe(
    "cron(45 * * * ? *)",
  );
  const { alarmDescription: before, ...beforeRest } = inputsOf(
    prod,
    "alarms-heartbeat-redis-backup",
  );
  const { alarmDescription: after, ...afterRest } = inputsOf(
    redisSchedule,
    "alarms-heartbeat-redis-backup",
  );
  expect(afterRest).toEqual(beforeRest);
  expect(String(after)).toBe(String(before).replace("cron(30 * * * ? *)", "cron(45 * * * ? *)"));
});

test("a schedule's frequency changes that schedule and the heartbeat derived from its gap", () => {
  expect(changed(prod, logsTwiceHourly)).toEqual([
    "alarms-heartbeat-logs-ship",
    "job-schedules-logs-ship",
  ]);
  const before = inputsOf(prod, "alarms-heartbeat-logs-ship");
  const after = inputsOf(logsTwiceHourly, "alarms-heartbeat-logs-ship");
  // Silence allowed on a host's last-run age: gap + 30 min run + 5 min grace: 1 h → 5700 s, 30 min → 3900 s.
  expect([before.threshold, after.threshold]).toEqual([5700, 3900]);
  expect(
    (inputsOf(logsTwiceHourly, "job-schedules-logs-ship").target as { retryPolicy: unknown })
      .retryPolicy,
  ).toEqual({
    maximumEventAgeInSeconds: 1800,
    maximumRetryAttempts: 10,
  });
});
