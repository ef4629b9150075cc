/**
 * What a killed run leaves behind (staged `.partial` copies, work directories in the temp dir) is
 * removed by the next run of the same job, before it measures the backup volume; what a live
 * process stages is never touched. Real Redis, moto's S3, a real small file system.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import { hostConfigVariant } from "../../host/support/hostVariant";
import { runJobProcess } from "../../host/support/jobs";
import { redisCommand } from "../../host/support/redis";
import { mountSmallVolume, type SmallVolume } from "../../host/support/smallVolume";

/** The pid of a process that has exited: what a killed run's names carry. */
function deadPid(): number {
  const pid = spawnSync("true").pid;
  if (pid === undefined) throw new Error("could not start 'true'");
  return pid;
}

describe("leftovers of killed runs", () => {
  let sb: Sandbox;
  let volume: SmallVolume;
  let env: Record<string, string>;
  const planted: string[] = [];
  const plant = (path: string, bytes: number) => {
    writeFileSync(path, Buffer.alloc(bytes));
    planted.push(path);
  };
  const plantDir = (path: string) => {
    mkdirSync(path);
    writeFileSync(join(path, "part.gz"), "x");
    planted.push(path);
  };

  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, hostId: "leftover-host" });
    // 2 MiB: one staged copy of 1.8 MiB puts it over the 80 % limit
    volume = mountSmallVolume(join(sb.dir, "mnt", "backup-volume"), 2048);
    env = hostConfigVariant(sb, "small-volume", {
      local: { root: volume.path, maxDiskUsagePercent: 80 },
    });
  });
  afterAll(async () => {
    for (const path of planted) rmSync(path, { recursive: true, force: true });
    volume?.unmount();
    await sb?.stop();
  });

  test("redis-backup removes a killed run's staged dump before measuring the disk, and keeps a live one's", async () => {
    // Given a volume pushed over its limit by a staged dump of a run that was killed (and one
    // named before names carried a pid), a small file staged by a live process, and the killed
    // run's work directory in the temp dir
    await redisCommand(sb, ["SET", "k", "v"]);
    const dir = join(volume.path, "redis");
    mkdirSync(dir, { recursive: true });
    const killed = join(dir, `.dump-20261201T020000Z.rdb.${deadPid()}-0123abcd.partial`);
    const unnamed = join(dir, ".dump-20261130T020000Z.rdb.89abcdef.partial");
    const live = join(dir, `.dump-20261201T020000Z.rdb.${process.pid}-fedc4321.partial`);
    const killedWork = join(tmpdir(), `redis-backup-${deadPid()}-AbC123`);
    const liveWork = join(tmpdir(), `redis-backup-${process.pid}-XyZ789`);
    plant(killed, 1800 * 1024);
    plant(unnamed, 16 * 1024);
    plant(live, 1024);
    plantDir(killedWork);
    plantDir(liveWork);

    // When redis-backup runs
    const run = await runJobProcess("redis-backup", env);

    // Then the leftovers are gone, the local copy fitted, and the live process's files are there
    expect(run.code, run.stderr).toBe(0);
    expect([existsSync(killed), existsSync(unnamed), existsSync(killedWork)]).toEqual([
      false,
      false,
      false,
    ]);
    expect([existsSync(live), existsSync(liveWork)]).toEqual([true, true]);
    expect(readdirSync(dir).filter((n) => /^dump-\d{8}T\d{6}Z\.rdb$/.test(n))).toHaveLength(1);
    const removed = run.logs.find((l) => l.msg.startsWith("removed what an earlier run"));
    expect(removed?.fields?.removed).toEqual(expect.arrayContaining([killed, unnamed, killedWork]));
  });

  test("config-backup removes a killed run's staged archive; logs-ship its work directory", async () => {
    // Given only this test's files on the volume
    for (const path of planted.splice(0)) rmSync(path, { recursive: true, force: true });
    const dir = join(volume.path, "configs");
    mkdirSync(dir, { recursive: true });
    const killed = join(
      dir,
      `.app-configs-20261201T020000Z-0123456789ab.tar.gz.${deadPid()}-0123abcd.partial`,
    );
    const otherJobs = join(dir, `.dump-20261201T020000Z.rdb.${deadPid()}-0123abcd.partial`);
    const logsWork = join(tmpdir(), `logs-ship-${deadPid()}-Qw3rty`);
    plant(killed, 1800 * 1024);
    plant(otherJobs, 1024);
    plantDir(logsWork);

    const backup = await runJobProcess("config-backup", { ...env, SETS: "app" });
    expect(backup.code, backup.stderr).toBe(0);
    // Only names the job itself stages are its leftovers
    expect([existsSync(killed), existsSync(otherJobs)]).toEqual([false, true]);

    const ship = await runJobProcess("logs-ship", env);
    expect(ship.code, ship.stderr).toBe(0);
    expect(existsSync(logsWork)).toBe(false);
  });
});
