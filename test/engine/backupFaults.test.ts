/**
 * Engine contract, faults during backups: an S3 outage while PostgreSQL keeps writing, a pg-backup
 * killed with SIGKILL, and two overlapping pg-backup runs. Real PostgreSQL 15, the real engine,
 * moto behind the sandbox's TLS front (stopping the front takes S3 away from the engine while
 * moto keeps every object).
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { engineFor } from "../../scripts/lib/engines";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { jobEntry, REPO_ROOT, runJobProcess } from "../host/support/jobs";
import { connectStellarInsights } from "../host/support/postgres";
import { describeEachEngine } from "./support";

/** Writes a row and closes the WAL segment, so each call leaves one more segment to archive. */
async function writeSegment(sb: Sandbox, label: string): Promise<string> {
  const client = await connectStellarInsights(sb);
  try {
    await client.query("INSERT INTO corridors (source, destination) VALUES ('OUTAGE', $1)", [
      label,
    ]);
    const { rows } = await client.query<{ wal: string }>(
      "SELECT pg_walfile_name(pg_current_wal_lsn()) AS wal",
    );
    await client.query("SELECT pg_switch_wal()");
    return rows[0].wal;
  } finally {
    await client.end();
  }
}

async function archiverState(
  sb: Sandbox,
): Promise<{ lastArchived: string | null; failed: number; ready: number }> {
  const client = await connectStellarInsights(sb);
  try {
    const { rows } = await client.query(`
      SELECT last_archived_wal, failed_count,
             (SELECT count(*)::int FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready') AS ready
        FROM pg_stat_archiver`);
    return {
      lastArchived: rows[0].last_archived_wal,
      failed: Number(rows[0].failed_count),
      ready: rows[0].ready,
    };
  } finally {
    await client.end();
  }
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describeEachEngine("faults during backups", (engineKey) => {
  let sb: Sandbox;
  const engine = () => engineFor(sb.hostConfig, hostIdOf(sb.hostConfig));

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey });
    const first = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    expect(first.code, first.stderr).toBe(0);
  }, 240_000);
  afterAll(async () => sb?.stop());

  test("WAL archiving holds across an S3 outage: failures are counted while it lasts, every segment arrives after", async () => {
    const before = await archiverState(sb);
    // Given S3 goes away for the engine while PostgreSQL keeps writing
    await sb.tlsFront.stop();
    const written: string[] = [];
    for (let i = 0; i < 4; i++) written.push(await writeSegment(sb, `during-outage-${i}`));
    // Then the archiver counts failures and the segments wait, and the health check says so
    await waitFor(
      "a counted archive failure",
      async () => ((await archiverState(sb)).failed > before.failed ? true : undefined),
      120_000,
    );
    const during = await archiverState(sb);
    expect(during.ready).toBeGreaterThanOrEqual(1);
    // The archiver is stuck while S3 is gone (nothing archived since its last failed attempt):
    // critical, so it pages before the WAL RPO runs out.
    const health = await runJobProcess("health-check", { ...sb.env, CHECKS: "wal-archive" });
    expect(health.code).toBe(2);
    expect(health.stderr).toMatch(/^CRITICAL: WAL archiving is stuck on /);
    expect(health.stderr).toMatch(/WAL archive attempt\(s\) failed since the last check/);
    // pg_wal's growth is reported with the archiver's state (segments are 16 MiB each)
    const archiver = health.logs.find((l) => l.msg === "archiver status")?.fields;
    expect(Number(archiver?.walBytes)).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    expect(Number(archiver?.readyCount)).toBeGreaterThanOrEqual(1);

    // When S3 comes back
    await sb.tlsFront.start();
    const last = await writeSegment(sb, "after-outage");
    // Then every segment written during the outage arrives, in order, with nothing left waiting
    await waitFor(
      "the archive to catch up",
      async () => {
        const s = await archiverState(sb);
        return s.ready === 0 && s.lastArchived !== null && s.lastArchived >= last ? s : undefined;
      },
      180_000,
    );
    const report = await engine().verify("s3");
    expect(report.problems).toEqual([]);
    expect(report.walGaps).toEqual([]);
    const timeline = written[0].slice(0, 8);
    const covered = (segment: string) =>
      report.walRanges.some(
        (r) => r.start.slice(0, 8) === timeline && r.start <= segment && segment <= r.stop,
      );
    for (const segment of [...written, last]) expect(covered(segment), segment).toBe(true);
    console.log(
      `archive outage: ${written.length} segments written during the outage (${written[0]}..${written.at(-1)}), all in the bucket after; ranges ${JSON.stringify(report.walRanges)}`,
    );
  }, 420_000);

  test("a pg-backup killed with SIGKILL leaves no backup listed as usable, and the next run succeeds", async () => {
    const before = (await engine().list("s3")).map((b) => b.name);
    // Given a pg-backup run in its own process group, as SSM runs it
    const child = spawn(process.execPath, ["--import", "tsx", jobEntry("pg-backup")], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/root",
        ...sb.env,
        LOCAL: "no",
      },
      stdio: "ignore",
      detached: true,
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    // When the whole run is killed while the engine is copying
    await waitFor(
      "the engine's backup to start",
      async () => {
        const { stdout } = await import("node:child_process").then(
          (cp) =>
            new Promise<{ stdout: string }>((resolve) =>
              cp.execFile(
                "pgrep",
                ["-f", `${sb.hostConfig.postgres.engine.configFile}.*backup`],
                (_e, out) => resolve({ stdout: out }),
              ),
            ),
        );
        return stdout.trim() !== "" ? true : undefined;
      },
      60_000,
    );
    process.kill(-child.pid!, "SIGKILL");
    await exited;
    // Then nothing new is listed as a usable backup
    expect((await engine().list("s3")).map((b) => b.name)).toEqual(before);
    // And the next run succeeds and is listed
    const next = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    expect(next.code, next.stderr).toBe(0);
    const after = await engine().list("s3");
    expect(after).toHaveLength(before.length + 1);
    expect(after.every((b) => b.ok)).toBe(true);
  }, 300_000);

  test("a second pg-backup while one runs is skipped, not failed: exit 75, saying which run holds the lock", async () => {
    const first = runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    const lockFile = `${sb.hostConfig.paths.lockDir}/pg-backup.lock`;
    const { existsSync } = await import("node:fs");
    await waitFor(
      "the first run's lock",
      async () => (existsSync(lockFile) ? true : undefined),
      30_000,
    );
    const second = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    expect(second.code).toBe(75);
    expect(second.stdout).toMatch(
      /pg-backup SKIPPED on \S+: another pg-backup run is still going \(pid \d+/,
    );
    const done = await first;
    expect(done.code, done.stderr).toBe(0);
  }, 300_000);

  test("pg-verify names every problem at once: an empty local repository and an unreachable PostgreSQL", async () => {
    // Given backups in S3 only (LOCAL=no above) and PostgreSQL down
    await sb.postgres!.stop();
    const run = await runJobProcess("pg-verify", { ...sb.env, REPOSITORIES: "local" });
    // Then one failure names both, and nothing about S3 (not asked for)
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no PostgreSQL backup in the local repository: run pg-backup");
    expect(run.stderr).toContain(
      "PostgreSQL's archiver could not be checked: cannot connect to PostgreSQL",
    );
    expect(run.stderr).not.toContain("S3 repository");
  }, 300_000);
});
