/**
 * A host that goes silent keeps paging: two hosts of the stack's `hosts` run their health check,
 * then only db-a goes on (its next run with its clock an hour on, as the fleet would be an hour
 * later); db-b publishes nothing more. The plan's own alarms on the health check's heartbeat are
 * evaluated per host over moto's series (moto never evaluates alarms: test/host/support/alarmState.ts)
 * at moments after db-b went silent, up to a week.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Dimension, Metric, parseInsightsQuery } from "../../infra/catalog";
import { HEALTH_CHECK_JOB } from "../../infra/content/aws/alarmDefinitions";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import {
  alarmStatePerHost,
  type AlarmState,
  type PlannedAlarmInputs,
} from "../host/support/alarmState";
import { hostConfigVariant } from "../host/support/hostVariant";
import { runJobProcess } from "../host/support/jobs";
import { synthVariant, type PlanFile } from "../infra/support/synthVariant";

const HOSTS = ["db-a", "db-b"] as const;
type Host = (typeof HOSTS)[number];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/** The plan's alarms on the health check's heartbeat, directly or in a Metrics Insights query. */
function livenessAlarms(plan: PlanFile): PlannedAlarmInputs[] {
  return plan.resources
    .filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")
    .map((r) => r.inputs as PlannedAlarmInputs)
    .filter((a) => {
      const [q] = a.metricQueries ?? [];
      const watched =
        q?.expression !== undefined
          ? parseInsightsQuery(q.expression)
          : { metricName: a.metricName, where: a.dimensions ?? {} };
      return (
        watched?.metricName === Metric.jobHeartbeat &&
        watched.where[Dimension.job] === HEALTH_CHECK_JOB
      );
    });
}

describe("two hosts, one silent past the heartbeat window: it pages and stays paging", () => {
  let sb: Sandbox;
  let alarms: PlannedAlarmInputs[];
  const env = {} as Record<Host, Record<string, string>>;
  let lastOfB: Date;

  const healthCheck = async (host: Host, extra: Record<string, string> = {}) => {
    const run = await runJobProcess("health-check", { ...env[host], CHECKS: "job-runs", ...extra });
    expect(run.code, `${host}: ${run.stderr}`).toBe(0);
  };

  /** Host → ALARM when any of the plan's liveness alarms is in ALARM for it at `at`. */
  const statesAt = async (at: Date): Promise<Record<string, AlarmState | "no contributor">> => {
    const states: Record<string, AlarmState | "no contributor"> = {};
    for (const host of HOSTS) states[host] = "no contributor";
    for (const alarm of alarms)
      for (const [host, state] of await alarmStatePerHost(sb, alarm, at))
        if (states[host] !== "ALARM") states[host] = state;
    return states;
  };

  beforeAll(async () => {
    // Given a stack whose hosts are db-a and db-b
    const plan = await synthVariant("two-hosts", (text) =>
      text.replace("    prod-db-1: {}\n", HOSTS.map((h) => `    ${h}: {}\n`).join("")),
    );
    alarms = livenessAlarms(plan);
    sb = await startSandbox({ postgres: false, redis: false });
    for (const host of HOSTS) {
      const dirs = { stateDir: join(sb.dir, host, "state"), lockDir: join(sb.dir, host, "locks") };
      mkdirSync(dirs.stateDir, { recursive: true });
      mkdirSync(dirs.lockDir, { recursive: true });
      env[host] = hostConfigVariant(sb, host, { hostId: host, paths: dirs });
    }
    // When both report, and then only db-a does, an hour later by its clock
    await healthCheck("db-a");
    await healthCheck("db-b");
    lastOfB = new Date();
    await healthCheck("db-a", { LD_PRELOAD: LIBFAKETIME, FAKETIME: "+1h" });
  }, 180_000);
  afterAll(async () => sb?.stop());

  test("the plan watches the health check's heartbeat of each host of `hosts`, missing data breaching", () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm.treatMissingData).toBe("breaching");
  });

  test("right after both reported, neither pages", async () => {
    expect(await statesAt(new Date(lastOfB.getTime() + MINUTE))).toEqual({
      "db-a": "OK",
      "db-b": "OK",
    });
  });

  test("an hour on, db-b (silent past the window) pages and db-a, which reported, does not", async () => {
    expect(await statesAt(new Date(lastOfB.getTime() + HOUR + 2 * MINUTE))).toEqual({
      "db-a": "OK",
      "db-b": "ALARM",
    });
  });

  test("a day and a week on, db-b still pages: silence never clears it", async () => {
    for (const later of [DAY, 7 * DAY]) {
      const states = await statesAt(new Date(lastOfB.getTime() + later));
      expect(states["db-b"], `${later / DAY} days`).toBe("ALARM");
    }
  });
});
