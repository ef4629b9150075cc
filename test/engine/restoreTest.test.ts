/**
 * Engine contract, the weekly restore test (pg-restore-test): real PostgreSQL 15, the real engine,
 * moto behind the TLS front. Given a backup with its recorded row counts, the job restores it into
 * a throwaway cluster, finds the same counts, reads every relation with checksums verified,
 * publishes RestoreTestRtoSeconds and leaves nothing behind; given a backup whose recorded count
 * differs from what it holds, it fails naming the table and both counts, publishes JobFailed, and
 * still cleans up; given damage in a table outside the check tables, it fails naming it.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { engineFor } from "../../scripts/lib/engines";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { readMetrics, metricDelta, onHost } from "../host/support/aws";
import { runJobProcess } from "../host/support/jobs";
import { damageTableOnDisk, insertAnchors } from "./restoreSupport";
import { describeEachEngine } from "./support";

describeEachEngine("the weekly restore test", (engineKey) => {
  let sb: Sandbox;
  const engine = () => engineFor(sb.hostConfig, hostIdOf(sb.hostConfig));
  const scratch = () => join(sb.hostConfig.local.root, "restore-test");
  const postgresProcesses = () => readdirSync("/proc").filter((p) => /^\d+$/.test(p)).length;

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey });
    const run = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    expect(run.code, run.stderr).toBe(0);
  }, 300_000);
  afterAll(async () => sb?.stop());

  test("restores the newest backup into a throwaway cluster: counts match, every relation read clean, RTO published, nothing left", async () => {
    // Given rows written after the backup (the test restores the backup's state, not today's)
    await insertAnchors(sb, ["after-backup"]);
    const before = await readMetrics(sb);
    const run = await runJobProcess("pg-restore-test", sb.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /row counts match \(anchors 5, corridors 3\); every relation of every database read with checksums verified, no damage/,
    );
    const counts = run.logs.find((l) => l.msg === "row counts")?.fields;
    expect(counts).toEqual({
      expected: { anchors: 5, corridors: 3 },
      restored: { anchors: 5, corridors: 3 },
    });
    const after = await readMetrics(sb);
    const rto = metricDelta(
      before,
      after,
      "RestoreTestRtoSeconds",
      onHost(sb, { Job: "pg-restore-test" }),
    );
    expect(rto).toBeGreaterThan(0);
    expect(metricDelta(before, after, "JobFailed", onHost(sb, { Job: "pg-restore-test" }))).toBe(0);
    // The throwaway is gone and the host's cluster was never touched
    expect(existsSync(scratch()) ? readdirSync(scratch()) : []).toEqual([]);
    expect(postgresProcesses()).toBeGreaterThan(0);
    const read = run.logs.find((l) => l.msg === "every relation read")?.fields;
    expect(read?.budgetSeconds).toBe(120 * 60);
  }, 300_000);

  test("fails, naming the table and both counts, when a restored count differs from the recorded one", async () => {
    // Given a newer backup whose recorded anchors count is not what it holds
    const actual = 6;
    await engine().backup({
      kind: "full",
      repository: "s3",
      annotations: { "rows.anchors": String(actual + 1), "rows.corridors": "3" },
      startFast: true,
    });
    const before = await readMetrics(sb);
    const run = await runJobProcess("pg-restore-test", sb.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `restored with different row counts: anchors ${actual} restored, ${actual + 1} recorded`,
    );
    const after = await readMetrics(sb);
    expect(metricDelta(before, after, "JobFailed", onHost(sb, { Job: "pg-restore-test" }))).toBe(1);
    expect(existsSync(scratch()) ? readdirSync(scratch()) : []).toEqual([]);
  }, 300_000);

  test("reads every relation, not only the check tables: a damaged page in another table fails it, naming the relation and block", async () => {
    // Given a table outside the check tables whose first page's line pointers point past the
    // page on disk (each: offset 0x7FFF, LP_NORMAL, length 0x7FFF; no data checksums here, so
    // the backup copies the page without noticing)
    const pointers = Buffer.alloc(16);
    for (let i = 0; i < 4; i++) pointers.writeUInt32LE(0xfffeffff, i * 4);
    const file = await damageTableOnDisk(sb, "ledger", 24, pointers);
    const backup = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    expect(backup.code, backup.stderr).toBe(0);
    // When the weekly restore test runs
    const run = await runJobProcess("pg-restore-test", sb.env);
    // Then it fails, naming the damaged relation and its block, and still cleans up
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/reading every relation of the restored cluster found damage/);
    expect(run.stderr).toMatch(/ledger", block 0/);
    expect(existsSync(scratch()) ? readdirSync(scratch()) : []).toEqual([]);
    console.log(`restore test on damaged ${file}: ${run.stderr.trim().split("\n").at(-1) ?? ""}`);
  }, 300_000);
});
