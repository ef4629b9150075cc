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
let report: Record<string, any>;

beforeAll(async () => {
  try {
    const { stdout } = await promisify(execFile)(
      join(ROOT, "node_modules", ".bin", "tsx"),
      ["scripts/sandbox/drill/main.ts", "--redis-keys", "200", "--load-seconds", "2", "--out", reportPath],
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
  expect(report.redis.writesRestored).toBeLessThanOrEqual(report.redis.writesAcknowledged);
  expect(report.redis.rpoSeconds).toBeGreaterThan(0);
  // The newest write restored is the backup's; the load ran 2 s after it.
  expect(report.redis.rpoSeconds).toBeLessThan(2 + 5);
  expect(report.redis.rtoSeconds).toBeGreaterThan(0);
});

test("every config file is byte-equal after the restore", () => {
  expect(report.configsRestored).toMatchObject({ expected: 3, restored: 3 });
});

test("the PostgreSQL part is reported as blocked with the reason, never as passed", () => {
  expect(report.postgres).toEqual({ status: "blocked", reason: expect.stringContaining("403 Forbidden") });
  expect(report.rpoSeconds).toBeNull();
  expect(report.rowsRestored).toBeNull();
  const blocked = report.steps.filter((s: { detail: string }) => s.detail.startsWith("blocked: "));
  expect(blocked.map((s: { ok: boolean }) => s.ok)).toEqual([false, false]);
  expect(report.steps).toHaveLength(14);
});
