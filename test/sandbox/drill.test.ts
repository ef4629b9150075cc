/**
 * The README's main command at a small size: the drill runs end to end through the shipped
 * documents, PostgreSQL half included, and its reports say what came back, by content, with RPO
 * and RTO against the stack's targets.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import type { DrillReport } from "../../scripts/sandbox/drill/report";
import { RPO_MARGIN_SECONDS } from "../../scripts/sandbox/drill/reportFacts";

const ROOT = join(__dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "drill-"));
const reportPath = join(dir, "report.json");
const SCALE_MB = 20;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function drill(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      join(ROOT, "node_modules", ".bin", "tsx"),
      ["scripts/sandbox/drill/main.ts", ...args],
      { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The detail of the step whose name starts with `prefix`. */
function stepDetail(report: DrillReport, prefix: string): string | undefined {
  return report.steps.find((s) => s.name.startsWith(prefix))?.detail;
}

describe("a drill at a small scale", () => {
  let run: Run;
  let report: DrillReport;

  beforeAll(async () => {
    // Given the prod stack, 20 MiB of check tables and the default load (archive_timeout + 20 s)
    run = await drill(["--scale", String(SCALE_MB), "--redis-keys", "200", "--out", reportPath]);
    report = JSON.parse(readFileSync(reportPath, "utf8"));
  }, 900_000);

  test("passes every step, prints its table, one summary line and the report's path", () => {
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^step\s+seconds\s+result$/m);
    expect(run.stdout).toMatch(
      /^drill passed: 18\/18 steps ok; PostgreSQL RPO \d+(\.\d+)? s, RTO \d+(\.\d+)? s$/m,
    );
    // The figures are in the report files, not on stdout.
    expect(run.stdout).not.toContain('"rowsExpected"');
    expect(run.stdout).not.toContain("NOT RUN");
    expect(run.stdout).toContain(`report: ${join(dir, "report.html")}`);
    expect(report.ok).toBe(true);
    expect(report.steps).toHaveLength(18);
    for (const step of report.steps) expect(step).toMatchObject({ status: "ok", ok: true });
    const starts = report.steps.map((s) => s.startSeconds);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  test("reads the backup from the primary, as pg-backup itself said, and starts no standby", () => {
    expect(report.postgres!.backup).toMatchObject({
      readFrom: "primary",
      readFromNote: "read from the primary",
    });
    expect(stepDetail(report, "start the sandbox")).not.toContain("standby");
    expect(stepDetail(report, "disaster")).toMatch(/^PostgreSQL stopped with SIGQUIT/);
  });

  test("names the engine and the versions", () => {
    expect(report.engine).toEqual({
      key: "pgbackrest",
      title: "pgBackRest",
      version: expect.stringMatching(/^2\.\d+/),
    });
    expect(report.versions?.postgres).toMatch(/^15\./);
    expect(report.versions?.redis).toMatch(/^\d+\.\d+/);
  });

  test("PostgreSQL RPO: writes after the last archived segment are lost, within archive_timeout + margin", () => {
    const t = report.targets!;
    expect(t.archiveTimeoutSeconds).toBeGreaterThan(0);
    expect(t.rpoBoundSeconds).toBe(t.archiveTimeoutSeconds + RPO_MARGIN_SECONDS);
    // No WAL switch is forced at the disaster, so the newest writes are lost.
    expect(report.rpoSeconds).toBeGreaterThan(0);
    expect(report.rpoSeconds).toBeLessThanOrEqual(t.archiveTimeoutSeconds + RPO_MARGIN_SECONDS);
    const latest = report.postgres!.latest;
    expect(latest.writesNotBack).toBeGreaterThan(0);
    expect(latest.writesRestored + latest.writesNotBack).toBe(
      report.postgres!.load.writesAcknowledged,
    );
  });

  test("PostgreSQL RTO: from the disaster to writable and verified", () => {
    const pg = report.postgres!;
    expect(report.rtoSeconds).toBeGreaterThan(pg.latest.restoreSeconds);
    expect(report.rtoSeconds).toBeCloseTo(pg.recoveredAtSeconds - pg.disasterAtSeconds, 2);
  });

  test("the point-in-time pass brings back exactly the rows committed by a target inside the load", () => {
    const pg = report.postgres!;
    const checkRows = Object.values(pg.checkTableRows).reduce((a, b) => a + b, 0);
    expect(pg.databaseBytes).toBeGreaterThanOrEqual(SCALE_MB * 1024 * 1024);
    expect(pg.checkTableRows.anchors).toBeGreaterThan(5);
    expect(pg.checkTableRows.corridors).toBeGreaterThan(3);
    expect(report.rowsExpected).toBe(checkRows + pg.pointInTime.writesExpected);
    expect(report.rowsRestored).toBe(report.rowsExpected);
    expect(pg.pointInTime.writesUndecided).toBe(0);
    // Inside the load: some writes before the target, more after it, still archived.
    expect(pg.pointInTime.writesRestored).toBeGreaterThan(0);
    expect(pg.pointInTime.writesRestored).toBeLessThan(pg.latest.writesRestored);
    const target = Date.parse(pg.pointInTime.target);
    expect(target).toBeGreaterThan(Date.parse(report.startedAt));
    expect(target).toBeLessThan(Date.parse(report.finishedAt));
  });

  test("Redis comes back by content: every key written before the backup", () => {
    expect(report.redisKeysExpected).toBe(200);
    expect(report.redisKeysRestored).toBe(200);
    expect(report.redis).toMatchObject({ keysExpected: 200, keysRestored: 200 });
    expect(report.redis!.writesRestored).toBeLessThanOrEqual(report.redis!.writesAcknowledged);
    expect(report.redis!.rpoSeconds).toBeGreaterThan(0);
    // The newest write restored is the backup's, taken as the load started.
    expect(report.redis!.rpoSeconds).toBeLessThan(report.postgres!.load.seconds + 5);
    expect(report.redis!.rtoSeconds).toBeGreaterThan(0);
  });

  test("every config file is byte-equal after the restore", () => {
    expect(report.configs).toMatchObject({ expected: 3, restored: 3 });
  });

  test("report.md and report.html hold the figures; the page holds the timeline chart", () => {
    const md = readFileSync(join(dir, "report.md"), "utf8");
    const html = readFileSync(join(dir, "report.html"), "utf8");
    const rpo = `${report.rpoSeconds!.toFixed(2)} s`;
    const rto = `${report.rtoSeconds!.toFixed(2)} s`;
    expect(md).toContain("**PASSED: 18 of 18 steps ok");
    expect(md).toContain(`| PostgreSQL RPO (newest acknowledged write lost) | ${rpo} |`);
    for (const page of [md, html]) {
      expect(page).toContain(rpo);
      expect(page).toContain(rto);
      expect(page).toContain(report.rowsRestored!.toLocaleString("en-US"));
      expect(page).toContain(report.engine.version!);
    }
    const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>") + 6);
    expect(svg.match(/<rect /g)).toHaveLength(18);
    expect(svg).toContain(`>RTO ${report.rtoSeconds!.toFixed(1)} s</text>`);
    expect(html).not.toMatch(/<script|<link|<img/i);
  });
});

describe("a drill that reads the backup from a streaming standby", () => {
  const standbyReport = join(dir, "standby.json");
  let run: Run;
  let report: DrillReport;

  beforeAll(async () => {
    // Given the same small drill with --backup-from standby
    run = await drill([
      "--backup-from",
      "standby",
      "--scale",
      String(SCALE_MB),
      "--redis-keys",
      "200",
      "--out",
      standbyReport,
    ]);
    report = JSON.parse(readFileSync(standbyReport, "utf8"));
  }, 900_000);

  test("passes every step, the backup read from the sandbox's standby as pg-backup itself said", () => {
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.steps).toHaveLength(18);
    const backup = report.postgres!.backup;
    expect(backup.readFrom).toBe("standby");
    expect(backup.readFromNote).toMatch(
      /^read from the standby at \S+\/standby\/run:\d+ \([\d.]+ MiB behind the primary\)$/,
    );
    expect(stepDetail(report, "start the sandbox")).toMatch(/, its streaming standby :\d+,/);
    expect(stepDetail(report, "PostgreSQL full backup")).toContain(backup.readFromNote);
    expect(readFileSync(join(dir, "standby.md"), "utf8")).toContain(
      `pg-backup took pgBackRest backup ${backup.name}, ${backup.readFromNote}.`,
    );
  });

  test("the standby is stopped before the primary is destroyed, and the restores pass without it", () => {
    expect(stepDetail(report, "disaster")).toMatch(/^standby at \S+:\d+ stopped first \(/);
    expect(report.rowsRestored).toBe(report.rowsExpected);
    expect(report.rpoSeconds).toBeLessThanOrEqual(report.targets!.rpoBoundSeconds);
  });
});

describe("refusals before anything starts", () => {
  test("wal-g without WALG_BINARY: exit 2 with the reason", async () => {
    const env = { ...process.env };
    delete env.WALG_BINARY;
    const r = await drill(["--engine", "wal-g", "--out", join(dir, "walg.json")], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^drill: --engine wal-g: wal-g is not installed at /);
    expect(existsSync(join(dir, "walg.json"))).toBe(false);
  });

  test("a load too short to archive any of it: exit 2 naming archive_timeout", async () => {
    const r = await drill(["--load-seconds", "5", "--out", join(dir, "short.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^drill: --load-seconds 5 is shorter than the stack's archive_timeout \(\d+ s\) \+ 10 s/,
    );
    // A valid command line installs the tools first (the engine check needs them).
    expect(r.stdout).toContain("install-tools: done");
  });

  test.each([
    [["--scale", "0"], "--scale '0' must be a whole number of MiB from 1 to 10240"],
    [["--scale", "-5"], "--scale '-5' must be a whole number of MiB from 1 to 10240"],
    [["--scale", "1e2"], "--scale '1e2' must be a whole number of MiB from 1 to 10240"],
    [["--scale", "0x10"], "--scale '0x10' must be a whole number of MiB from 1 to 10240"],
    [["--scale", " 5"], "--scale ' 5' must be a whole number of MiB from 1 to 10240"],
    [["--redis-keys", "-1"], "--redis-keys '-1' must be a whole number from 1 to 1000000"],
    [["--redis-keys", "1.5"], "--redis-keys '1.5' must be a whole number from 1 to 1000000"],
    [["--load-seconds", "3e1"], "--load-seconds '3e1' must be from 1 to 3600"],
    [["--load-seconds", "-30"], "--load-seconds '-30' must be from 1 to 3600"],
    [["--engine", "barman"], "--engine 'barman' is not an engine; allowed: pgbackrest, wal-g"],
    [
      ["--backup-from", "replica"],
      "--backup-from 'replica' is not where a backup can be read from; allowed: primary, standby",
    ],
    [
      ["--backup-from", "Standby"],
      "--backup-from 'Standby' is not where a backup can be read from; allowed: primary, standby",
    ],
    [["--to-time", "+0"], "--to-time '+0': +S must be a positive number of seconds"],
    [["--to-time", "2020-01-01T00:00:00Z"], "is in the past"],
  ])("%j: exit 2, %s", async (args, message) => {
    const r = await drill(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    // Refused by the command line: not even the tools are installed.
    expect(r.stdout).not.toContain("install-tools");
  });
});
