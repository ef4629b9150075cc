/**
 * redis-backup and redis-restore against a real Redis (started from the rendered fragment) and
 * moto's S3, run as processes the way a host runs them.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { account } from "../../../scripts/lib/job/accounts";
import { runCommand } from "../../../scripts/lib/job/exec";
import { verifyDump } from "../../../scripts/lib/redis/client";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import { getObjectBytes, headObject, listKeys } from "../../host/support/aws";
import { messages, runJobProcess } from "../../host/support/jobs";
import { persistenceInfo, redisCommand, snapshot } from "../../host/support/redis";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function seed(sb: Sandbox, count: number, tag: string): Promise<void> {
  const args = ["MSET"];
  for (let i = 0; i < count; i++) args.push(`key:${i}`, `${tag}-${i}`);
  await redisCommand(sb, args);
}

describe("Redis with AOF off (the runbook's setup)", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, hostId: "redis-host" });
  });
  afterAll(async () => sb?.stop());

  test("backup uploads a verified dump; dry run changes nothing; confirmed restore brings keys back", async () => {
    // Given 40 keys in Redis
    await seed(sb, 40, "original");
    const original = await snapshot(sb);

    // When redis-backup runs
    const backup = await runJobProcess("redis-backup", sb.env);

    // Then one dump is in S3 under redis/<host>/ with its SHA-256 and key count, and a local copy exists
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    const keys = await listKeys(sb, "redis/redis-host/");
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^redis\/redis-host\/\d{8}T\d{6}Z\.rdb$/);
    const head = await headObject(sb, keys[0]);
    const body = await getObjectBytes(sb, keys[0]);
    expect(head.Metadata?.sha256).toBe(sha256(body));
    expect(head.Metadata?.["key-count"]).toBe("40");
    expect(head.ServerSideEncryption).toBe("aws:kms");
    // Encrypted on the host (prod's clientSideEncryption; see clientSideEncryption.test.ts): the
    // object is no RDB, the local copy is.
    expect(body.includes("REDIS")).toBe(false);
    expect(head.Metadata?.["client-side-encryption"]).toBe("aws-encryption-sdk");
    const localDir = join(sb.hostConfig.local.root, "redis");
    const localDump = readFileSync(join(localDir, readdirSync(localDir)[0]));
    expect(localDump.subarray(0, 5).toString()).toBe("REDIS");
    expect(readdirSync(localDir).filter((n) => n.endsWith(".rdb"))).toEqual([
      `dump-${keys[0].split("/")[2]}`.replace(".rdb", ".rdb"),
    ]);

    // Given the data changes after the backup (and the change reaches the dump on disk)
    await redisCommand(sb, ["FLUSHALL"]);
    await redisCommand(sb, ["SET", "after-backup", "yes"]);
    await redisCommand(sb, ["SAVE"]);
    const dumpPath = join(sb.hostConfig.redis.dir, sb.hostConfig.redis.dbfilename);
    const dumpBefore = readFileSync(dumpPath);
    const pidBefore = String(await redisCommand(sb, ["INFO", "server"])).match(
      /process_id:(\d+)/,
    )?.[1];

    // When redis-restore runs without confirmation
    const dry = await runJobProcess("redis-restore", sb.env);

    // Then it only prints the plan: same process, same data, same dump file
    expect(dry.code).toBe(0);
    expect(messages(dry).filter((m) => m.startsWith("DRY RUN step"))).toHaveLength(5);
    expect(dry.stdout).toContain("nothing was changed");
    expect(await snapshot(sb)).toEqual({ "after-backup": "yes" });
    expect(readFileSync(dumpPath).equals(dumpBefore)).toBe(true);
    expect(String(await redisCommand(sb, ["INFO", "server"])).match(/process_id:(\d+)/)?.[1]).toBe(
      pidBefore,
    );

    // When redis-restore runs with the confirmation
    const restore = await runJobProcess("redis-restore", { ...sb.env, CONFIRM: "yes-restore" });

    // Then every key and value is back, owned by redis, and the replaced dump (which Redis
    // rewrote while shutting down: one key) is kept aside
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(await snapshot(sb)).toEqual(original);
    const stat = statSync(dumpPath);
    expect([stat.uid, stat.mode & 0o777]).toEqual([account("redis").uid, 0o660]);
    const asides = readdirSync(sb.hostConfig.redis.dir).filter((n) =>
      n.startsWith("dump.rdb.pre-restore-"),
    );
    expect(asides).toHaveLength(1);
    expect((await verifyDump(join(sb.hostConfig.redis.dir, asides[0]))).keys).toBe(1);
    expect(readdirSync(sb.hostConfig.redis.dir).filter((n) => n.startsWith(".restore-"))).toEqual(
      [],
    );
  });

  test.each([
    ["yes", 'CONFIRM="yes" is not the confirmation'],
    ["YES-RESTORE", 'CONFIRM="YES-RESTORE" is not the confirmation'],
  ])("CONFIRM=%s is refused before anything happens", async (value, message) => {
    const before = await snapshot(sb);
    const run = await runJobProcess("redis-restore", { ...sb.env, CONFIRM: value });
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain("nothing was changed");
    expect(await snapshot(sb)).toEqual(before);
  });

  test("an unknown backup stamp is refused with the prefix to look in", async () => {
    const run = await runJobProcess("redis-restore", {
      ...sb.env,
      BACKUP: "20000101T000000Z",
      CONFIRM: "yes-restore",
    });
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(
      "no Redis dump s3://stellar-insights-backups/redis/redis-host/20000101T000000Z.rdb",
    );
  });
});

describe("Redis with AOF on", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, redisAppendonly: true, hostId: "aof-host" });
  });
  afterAll(async () => sb?.stop());

  test("restore loads the dump despite the AOF, then turns AOF back on with the restored data", async () => {
    // Given AOF is on and 25 keys are backed up
    expect((await persistenceInfo(sb)).aof_enabled).toBe("1");
    await seed(sb, 25, "aof");
    const original = await snapshot(sb);
    const backup = await runJobProcess("redis-backup", sb.env);
    expect(backup.code).toBe(0);

    // And everything is deleted afterwards (the AOF records the deletion)
    await redisCommand(sb, ["FLUSHALL"]);
    await redisCommand(sb, ["SET", "only-after", "1"]);

    // When the confirmed restore runs
    const restore = await runJobProcess("redis-restore", { ...sb.env, CONFIRM: "yes-restore" });

    // Then the dump's data is live, AOF is on again, the old AOF is kept aside, the fragment says appendonly yes
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(await snapshot(sb)).toEqual(original);
    expect((await persistenceInfo(sb)).aof_enabled).toBe("1");
    expect(
      readdirSync(sb.hostConfig.redis.dir).some((n) => n.startsWith("appendonlydir.pre-restore-")),
    ).toBe(true);
    expect(readFileSync(sb.hostConfig.redis.managedConfigFile, "utf8")).toMatch(
      /^appendonly yes$/m,
    );

    // And a restart (which loads the rewritten AOF, not the dump) still has the restored data
    expect(existsSync(join(sb.hostConfig.redis.dir, "appendonlydir"))).toBe(true);
    await redisCommand(sb, ["CONFIG", "SET", "save", ""]);
    expect((await runCommand(sb.hostConfig.redis.service.stop)).code).toBe(0);
    rmSync(join(sb.hostConfig.redis.dir, sb.hostConfig.redis.dbfilename));
    expect((await runCommand(sb.hostConfig.redis.service.start)).code).toBe(0);
    let after: Record<string, string> = {};
    for (let i = 0; i < 50; i++) {
      try {
        after = await snapshot(sb);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(after).toEqual(original);
  });
});
