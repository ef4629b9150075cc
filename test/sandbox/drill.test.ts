/**
 * The README's main command at a small size: the drill runs end to end through the shipped
 * documents, and its report says what came back, by content.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, expect, test } from "vitest";

const ROOT = join(__dirname, "..", "..");
const reportPath = join(mkdtempSync(join(tmpdir(), "drill-")), "report.json");
let run: { code: number; stdout: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the report JSON, read field by field
let report: Record<string, any>;

beforeAll(async () => {
  try {
    const { stdout } = await promisify(execFile)(
      join(ROOT, "node_modules", ".bin", "tsx"),
      [
        "scripts/sandbox/drill/main.ts",
        "--redis-keys",
        "200",
        "--load-seconds",
        "2",
        "--out",
        reportPath,
      ],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    run = { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    run = { code: e.code, stdout: e.stdout };
  }
  report = JSON.parse(readFileSync(reportPath, "utf8"));
}, 240_000);

test("the drill passes and prints its table of steps", () => {
  expect(run.code, run.stdout).toBe(0);
  expect(run.stdout).toMatch(/^step\s+seconds\s+result$/m);
  expect(run.stdout).toContain("drill passed: 12/12 steps ok, 2 NOT RUN");
});

test("Redis comes back by content: every key written before the backup, and a gap no longer than the load", () => {
  expect(report.redisKeysExpected).toBe(200);
  expect(report.redisKeysRestored).toBe(200);
  expect(report.redis).toMatchObject({ keysExpected: 200, keysRestored: 200 });
  expect(report.redis.writesRestored).toBeLessThanOrEqual(report.redis.writesAcknowledged);
  expect(report.redis.rpoSeconds).toBeGreaterThan(0);
  // The newest write restored is the backup's; the load ran 2 s after it.
  expect(report.redis.rpoSeconds).toBeLessThan(2 + 5);
  expect(report.redis.rtoSeconds).toBeGreaterThan(0);
});

test("every config file is byte-equal after the restore", () => {
  expect(report.configs).toMatchObject({ expected: 3, restored: 3 });
  expect(report.configs.files).toHaveLength(3);
});

test("the PostgreSQL part is reported as not run with the reason, never as passed", () => {
  expect(report.postgres).toEqual({
    status: "not-run",
    reason: expect.stringContaining(
      "the drill's PostgreSQL half (seed, back up, destroy, pg-restore) is not built yet",
    ),
  });
  // The top-level figures are PostgreSQL's.
  expect(report.rpoSeconds).toBeNull();
  expect(report.rtoSeconds).toBeNull();
  expect(report.rowsExpected).toBeNull();
  expect(report.rowsRestored).toBeNull();
});

test("every step has a status as well as ok: 12 ok, the 2 PostgreSQL steps not run", () => {
  expect(report.steps).toHaveLength(14);
  const byStatus = (status: string) =>
    report.steps
      .filter((s: { status: string }) => s.status === status)
      .map((s: { name: string }) => s.name);
  expect(byStatus("ok")).toHaveLength(12);
  expect(byStatus("failed")).toEqual([]);
  expect(byStatus("not-run")).toEqual([
    "PostgreSQL full backup (pg-backup document)",
    "PostgreSQL disaster and restore to latest",
  ]);
  for (const step of report.steps) expect(step.ok).toBe(step.status === "ok");
  const notRun = report.steps.filter((s: { status: string }) => s.status === "not-run");
  for (const step of notRun) expect(step.detail).toBe(report.postgres.reason);
});
