/**
 * Engine contract, backups read from a streaming standby: with the primary idle, the backup is read
 * from the standby, verified at once (the WAL it ends in is archived) and restores to the rows, the
 * restored cluster coming up as a primary; with the standby down, the stack's fallback happens and
 * is said, or the run fails with nothing backed up. Real PostgreSQL 15 with a real standby
 * (pg_basebackup -R), the real engine, moto behind the sandbox's TLS front.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { DEFAULT_SCHEDULES, DEFAULT_THRESHOLDS } from "../../infra/catalog";
import { alarmDefinitions, insightsQueryOf } from "../../infra/content/aws/alarmDefinitions";
import { evaluateInsightsQuery } from "../host/support/insights";
import { engineFor } from "../../scripts/lib/engines";
import { openClient } from "../../scripts/lib/postgres/connection";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { hostConfigVariant } from "../host/support/hostVariant";
import { runJobProcess } from "../host/support/jobs";
import { connectStellarInsights } from "../host/support/postgres";
import { anchorNames, insertAnchors, postgresLogTail } from "./restoreSupport";
import { describeEachEngine } from "./support";

const SEEDED = ["anchor-1", "anchor-2", "anchor-3", "anchor-4", "anchor-5"];
const ALARM_INPUTS = {
  schedules: DEFAULT_SCHEDULES,
  timezone: "UTC",
  thresholds: DEFAULT_THRESHOLDS,
  deadLetterQueueName: "dead-letters",
  snapshotPolicyId: "policy",
  hosts: ["standby-a"],
};

describeEachEngine("backups read from a streaming standby", (engineKey) => {
  let sb: Sandbox;
  const engine = () => engineFor(sb.hostConfig, hostIdOf(sb.hostConfig));
  const backup = (env: Record<string, string>, params: Record<string, string> = {}) =>
    runJobProcess("pg-backup", { ...env, START_FAST: "yes", LOCAL: "no", ...params });
  const standbyAt = () => `${sb.standby!.socketDir}:${sb.standby!.port}`;

  beforeAll(async () => {
    sb = await startSandbox({
      redis: false,
      postgresEngine: engineKey,
      hostId: "standby-a",
      standby: { whenStandbyUnavailable: "primary" },
    });
  }, 300_000);
  afterAll(async () => sb?.stop());

  test("with the primary idle, the backup is read from the standby and verifies at once", async () => {
    // Given rows committed, then a primary that writes nothing more
    await insertAnchors(sb, ["before-backup"]);

    // When the scheduled backup runs, into both repositories
    const run = await backup(sb.env, { LOCAL: "yes" });

    // Then it read the standby, and each repository lists the backup with the WAL it needs
    expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
    expect(run.stdout).toContain(`read from the standby at ${standbyAt()}`);
    expect(run.logs.find((l) => l.msg === "backup started")?.fields?.readFrom).toBe("standby");
    expect(await engine().list("s3")).toHaveLength(1);
    expect(await engine().list("local")).toHaveLength(1);
    const verify = await runJobProcess("pg-verify", sb.env);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  }, 600_000);

  test("with the standby down, the fallback to the primary happens and is said; with 'fail' nothing is backed up", async () => {
    // Given the standby stopped
    await sb.standby!.halt();
    try {
      const before = await engine().list("s3");

      // When the plan falls back to the primary
      const fallback = await backup(sb.env);

      // Then the backup is taken from the primary, with the reason in a warning and the summary
      expect(fallback.code, fallback.stderr + postgresLogTail(sb)).toBe(0);
      expect(fallback.stdout).toContain(
        `read from the primary, not the standby: the standby at ${standbyAt()} does not answer`,
      );
      const warning = fallback.logs.find((l) => l.level === "warn");
      expect(warning?.msg).toBe("the standby cannot be read from: backing up from the primary");
      expect(await engine().list("s3")).toHaveLength(before.length + 1);
      // And the standby-fallback alarm's query, over what the runs published, breaches for this host
      const alarm = alarmDefinitions({
        ...ALARM_INPUTS,
        metricNamespace: sb.hostConfig.metricNamespace,
        standbyBackup: true,
      })["standby-fallback"];
      const perHost = await evaluateInsightsQuery(sb, insightsQueryOf(alarm)!, {
        start: new Date(Date.now() - 3_600_000),
        end: new Date(Date.now() + 60_000),
        period: alarm.periodSeconds,
      });
      expect(Math.max(...(perHost.get("standby-a") ?? []))).toBeGreaterThan(alarm.threshold);

      // When the plan says fail, or the run asks for the standby
      const strict = hostConfigVariant(sb, "standby-or-fail", {
        postgres: { backupFrom: { whenStandbyUnavailable: "fail" } },
      });
      for (const [env, params, said] of [
        [strict, {}, "postgres.backupFrom.whenStandbyUnavailable: fail"],
        [sb.env, { FROM: "standby" }, "FROM=standby"],
      ] as const) {
        const refused = await backup(env, params);
        // Then the run fails (the job failure pages), saying why, and nothing is backed up
        expect(refused.code, refused.stdout).not.toBe(0);
        expect(refused.stderr).toContain(
          `the backup must be read from the standby (${said}), but the standby at ${standbyAt()} does not answer`,
        );
        expect(refused.stderr).toContain("nothing was backed up");
      }
      expect(await engine().list("s3")).toHaveLength(before.length + 1);
    } finally {
      await sb.standby!.start();
    }
  }, 600_000);

  test("a standby that runs in another directory than the one named, or has replay paused, is passed over", async () => {
    // Given a host config naming an old copy of the standby's directory (not the one it runs in)
    const old = join(sb.dir, "standby-old");
    mkdirSync(old, { recursive: true });
    const elsewhere = hostConfigVariant(sb, "standby-elsewhere", {
      postgres: { backupFrom: { standby: { pgData: old } } },
    });
    // When the plan's backup runs, then it reads the primary, naming both directories
    const moved = await backup(elsewhere);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toContain(
      `read from the primary, not the standby: the standby at ${standbyAt()} runs in ${sb.standby!.pgData}, not in postgres.backupFrom.standby.pgData ${old}`,
    );

    // Given the standby's replay paused
    const client = await openClient({
      host: sb.standby!.socketDir,
      port: sb.standby!.port,
      user: "postgres",
      database: "postgres",
    });
    try {
      await client.query("SELECT pg_wal_replay_pause()");
      // When the plan's backup runs, then it reads the primary, saying replay is paused
      const paused = await backup(sb.env);
      expect(paused.code, paused.stderr).toBe(0);
      expect(paused.stdout).toContain(
        `read from the primary, not the standby: the standby at ${standbyAt()} has WAL replay paused`,
      );
    } finally {
      await client.query("SELECT pg_wal_replay_resume()");
      await client.end();
    }
  }, 600_000);

  test("a backup read from the standby restores to its rows, and the restored cluster is a primary", async () => {
    // Given the backup read from the standby in the first test
    const fromStandby = (await engine().list("s3"))[0];
    await insertAnchors(sb, ["after-backups"]);

    // When it is restored to the point it is consistent
    const run = await runJobProcess("pg-restore", {
      ...sb.env,
      TARGET: "backup",
      BACKUP_NAME: fromStandby.name,
      CONFIRM: "yes-restore",
    });

    // Then its rows are back, and PostgreSQL runs as a primary, not waiting as a standby
    expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
    expect(await anchorNames(sb)).toEqual([...SEEDED, "before-backup"].sort());
    const client = await connectStellarInsights(sb);
    try {
      const { rows } = await client.query<{ recovery: boolean }>(
        "SELECT pg_is_in_recovery() AS recovery",
      );
      expect(rows[0].recovery).toBe(false);
    } finally {
      await client.end();
    }
  }, 900_000);
});
