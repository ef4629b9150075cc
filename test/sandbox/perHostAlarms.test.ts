/**
 * Heartbeats and ages must not merge across hosts: two hosts publish into one moto, one goes
 * silent, and the very queries the prod plan's alarms watch tell them apart. moto never evaluates
 * alarms nor runs Metrics Insights queries, so the queries are evaluated over moto's stored series
 * (test/host/support/insights.ts) and compared with each alarm's threshold as planned. The health
 * check's own heartbeat is an alarm per host, not a query: test/sandbox/hostLiveness.test.ts.
 */
import { mkdirSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadPlan, type Plan } from "../../scripts/sandbox/plan";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { hostConfigVariant } from "../host/support/hostVariant";
import { evaluateInsightsQuery } from "../host/support/insights";
import { runJobProcess } from "../host/support/jobs";

const DAY = 86_400;

interface PlannedAlarm {
  readonly query: string;
  readonly period: number;
  readonly threshold: number;
  readonly treatMissingData: string;
}

function plannedAlarm(plan: Plan, key: string): PlannedAlarm {
  const found = plan.resources.filter(
    (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.name === `alarms-${key}`,
  );
  expect(found, key).toHaveLength(1);
  const inputs = found[0].inputs;
  const [q] = inputs.metricQueries as { expression: string; period: number }[];
  return {
    query: q.expression,
    period: q.period,
    threshold: inputs.threshold as number,
    treatMissingData: inputs.treatMissingData as string,
  };
}

describe("two hosts, one silent: the per-host alarm queries single it out", () => {
  let sb: Sandbox;
  let plan: Plan;
  const env: Record<"db-a" | "db-b", Record<string, string>> = { "db-a": {}, "db-b": {} };
  /** Between the hosts' first health checks and the second one, which only db-a runs. */
  let silentSince: Date;

  const healthCheck = async (host: "db-a" | "db-b") => {
    const run = await runJobProcess("health-check", { ...env[host], CHECKS: "job-runs" });
    expect(run.code, `${host}: ${run.stderr}`).toBe(0);
  };

  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, redis: false });
    plan = loadPlan("prod", process.env.STELLAR_SANDBOX_SYNTH_DIR);
    // Given two hosts, each with its own id, run records and locks
    for (const host of ["db-a", "db-b"] as const) {
      const dirs = { stateDir: join(sb.dir, host, "state"), lockDir: join(sb.dir, host, "locks") };
      mkdirSync(dirs.stateDir, { recursive: true });
      mkdirSync(dirs.lockDir, { recursive: true });
      env[host] = hostConfigVariant(sb, host, { hostId: host, paths: dirs });
    }
    // And db-b was installed two days ago and has never taken a PostgreSQL backup since
    const twoDaysAgo = new Date(Date.now() - 2 * DAY * 1000);
    utimesSync(env["db-b"].STELLAR_BACKUP_CONFIG, twoDaysAgo, twoDaysAgo);
    // When both run their health check, and then only db-a does: db-b has gone silent
    await healthCheck("db-a");
    await healthCheck("db-b");
    await new Promise((r) => setTimeout(r, 1500));
    silentSince = new Date();
    await healthCheck("db-a");
  }, 120_000);
  afterAll(async () => sb?.stop());

  test("pg-backup's silence: db-b's last-run age is past the alarm's threshold, db-a's is not", async () => {
    const alarm = plannedAlarm(plan, "heartbeat-pg-backup");
    expect(alarm.threshold).toBe(DAY + 4 * 3600 + 300);
    const perHost = await evaluateInsightsQuery(sb, alarm.query, {
      start: new Date(silentSince.getTime() - 600_000),
      end: new Date(Date.now() + 60_000),
      period: alarm.period,
    });
    const worst = (host: string) => Math.max(...(perHost.get(host) ?? []));
    expect(worst("db-a")).toBeLessThan(120);
    expect(worst("db-b")).toBeGreaterThan(alarm.threshold);
    expect(worst("db-b")).toBeLessThan(2 * DAY + 120);
  });
});
