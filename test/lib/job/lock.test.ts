/** The job lock: one run at a time, crashed runs' locks taken over, only one's own lock removed. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { LockBusyError, acquireLock } from "../../../scripts/lib/job/lock";

function deadPid(): number {
  const child = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  return Number(child.stdout.trim());
}

describe("acquireLock", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "lock-test-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("a second holder is refused with who holds it, until the first releases", async () => {
    const first = await acquireLock(dir, "redis-backup");
    const error = await acquireLock(dir, "redis-backup", { pid: process.pid + 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LockBusyError);
    expect((error as Error).message).toMatch(
      /^another redis-backup run is still going \(pid \d+, started \d{4}-\d\d-\d\dT[\d:.]+Z\); not starting a second one$/,
    );
    expect((error as LockBusyError).holder.pid).toBe(process.pid);
    await first.release();
    const second = await acquireLock(dir, "redis-backup");
    expect(second.replacedStale).toBeUndefined();
    await second.release();
    expect(existsSync(join(dir, "redis-backup.lock"))).toBe(false);
  });

  test("different jobs do not block each other", async () => {
    const a = await acquireLock(dir, "redis-backup");
    const b = await acquireLock(dir, "logs-ship");
    await Promise.all([a.release(), b.release()]);
  });

  test("a lock left by a dead process is taken over and reported", async () => {
    const pid = deadPid();
    writeFileSync(
      join(dir, "logs-ship.lock"),
      JSON.stringify({ pid, job: "logs-ship", host: "h", startedAt: "2024-01-15T02:00:00.000Z" }),
    );
    const lock = await acquireLock(dir, "logs-ship");
    expect(lock.replacedStale?.pid).toBe(pid);
    expect(JSON.parse(readFileSync(lock.path, "utf8")).pid).toBe(process.pid);
    await lock.release();
  });

  test("an unreadable lock is respected while fresh and taken over once old", async () => {
    const path = join(dir, "config-backup.lock");
    writeFileSync(path, "");
    await expect(acquireLock(dir, "config-backup")).rejects.toThrow(/lock still being written/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    const lock = await acquireLock(dir, "config-backup");
    expect(lock.replacedStale).toEqual(expect.objectContaining({ pid: 0 }));
    await lock.release();
  });

  test("an unreadable lock written before the clock was stepped back a day is taken over", async () => {
    const path = join(dir, "config-backup.lock");
    writeFileSync(path, "");
    const ahead = new Date(Date.now() + 86_400_000);
    utimesSync(path, ahead, ahead);
    const lock = await acquireLock(dir, "config-backup");
    expect(lock.replacedStale).toEqual(expect.objectContaining({ pid: 0 }));
    await lock.release();
  });

  test("release leaves a lock that another run holds alone", async () => {
    const lock = await acquireLock(dir, "health-check");
    writeFileSync(
      lock.path,
      JSON.stringify({ pid: process.ppid, job: "health-check", host: "h", startedAt: "x" }),
    );
    await lock.release();
    expect(existsSync(lock.path)).toBe(true);
  });
});
