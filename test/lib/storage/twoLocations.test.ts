/**
 * The runbook's two locations (S3 and the local backup volume) are written independently: a full
 * or refusing local volume never stops the off-site copy, a dead S3 never stops the local copy,
 * and the run fails when either failed. Real Redis, real moto, a real small file system.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import { listKeys } from "../../host/support/aws";
import { runJobProcess } from "../../host/support/jobs";
import { redisCommand } from "../../host/support/redis";
import { mountSmallVolume, type SmallVolume } from "../../host/support/smallVolume";

const VOLUME_KIB = 256;

describe("two locations: S3 and the local backup volume", () => {
  let sb: Sandbox;
  let volume: SmallVolume;
  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, hostId: "two-host" });
    volume = mountSmallVolume(sb.hostConfig.local.root, VOLUME_KIB);
  });
  afterAll(async () => {
    volume?.unmount();
    await sb?.stop();
  });

  test("a Redis dump larger than the local volume is uploaded first; then the run fails naming the full volume, leaving no partial file", async () => {
    // Given a dump of about 1.5 MB (random values do not compress), on a 256 KiB local volume
    const args = ["MSET"];
    for (let i = 0; i < 1500; i++) args.push(`big:${i}`, randomBytes(768).toString("base64"));
    await redisCommand(sb, args);

    // When redis-backup runs
    const run = await runJobProcess("redis-backup", sb.env);

    // Then the dump is in S3
    expect(await listKeys(sb, "redis/two-host/")).toHaveLength(1);
    // And the run failed, saying the local copy did not fit and what to do
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("local copy failed");
    expect(run.stderr).toContain(`does not fit on the backup volume ${volume.path} (ENOSPC)`);
    expect(run.stderr).toContain(`Next: free space on ${volume.path} or grow it`);
    expect(run.stderr).not.toContain("off-site copy failed");
    // And nothing that looks like a dump, complete or partial, is left on the volume
    expect(readdirSync(join(volume.path, "redis"))).toEqual([]);
  });

  test("config-backup uploads while the local volume is over its limit, and fails the run for the refused local copy", async () => {
    // Given the local volume filled past the host's limit
    const filler = join(volume.path, "filler");
    writeFileSync(filler, Buffer.alloc(Math.floor(VOLUME_KIB * 1024 * 0.9)));
    try {
      // When config-backup runs
      const run = await runJobProcess("config-backup", { ...sb.env, SETS: "app" });

      // Then the archive and its pointer are in S3
      const keys = await listKeys(sb, "configs/two-host/app/");
      expect(keys.filter((k) => k.endsWith(".tar.gz"))).toHaveLength(1);
      expect(keys).toContain("configs/two-host/app/latest.json");
      // And the run failed for the local copy, with the limit in the message
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `config set 'app': local copy failed: refused: ${volume.path} is`,
      );
      expect(run.stderr).toMatch(/% full \(limit \d+%\)/);
      expect(readdirSync(join(volume.path, "configs"))).toEqual([]);
    } finally {
      rmSync(filler);
    }
  });

  test("config-backup writes the local copy while S3 is frozen, and fails the run for the off-site copy", async () => {
    // Given S3 frozen (and room on the local volume again)
    process.kill(sb.moto.pid, "SIGSTOP");
    let run;
    try {
      // When config-backup runs with short AWS call limits
      run = await runJobProcess("config-backup", {
        ...sb.env,
        SETS: "app",
        STELLAR_AWS_CONNECT_TIMEOUT_MS: "500",
        STELLAR_AWS_IDLE_TIMEOUT_MS: "1000",
        STELLAR_AWS_MAX_ATTEMPTS: "1",
      });
    } finally {
      process.kill(sb.moto.pid, "SIGCONT");
    }

    // Then the local copy of the set's current content is there
    const local = readdirSync(join(volume.path, "configs"));
    expect(local).toHaveLength(1);
    expect(local[0]).toMatch(/^app-configs-\d{8}T\d{6}Z-[0-9a-f]{12}\.tar\.gz$/);
    // And the run failed for the off-site copy only
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("config set 'app': off-site copy failed:");
    expect(run.stderr).not.toContain("local copy failed");
  });
});
