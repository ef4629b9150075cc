/**
 * Wrong clocks against real Redis and moto's S3: "latest" is the newest upload (S3's own record),
 * not the greatest stamp; an archive stamped after now is refreshed; BGSAVE's wait ends when the
 * save is done, whatever Redis's clock says.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ConfigPointer } from "../../scripts/lib/configs/configPointer";
import { createLogger } from "../../scripts/lib/job/log";
import { bgsaveAndWait, verifyDump, type RedisCommands } from "../../scripts/lib/redis/client";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { getJsonObject, listKeys, putObject } from "./support/aws";
import { runJobProcess } from "./support/jobs";
import { redisClient, redisCommand, snapshot } from "./support/redis";

const HOST = "clock-host";
/** A stamp from a clock running decades fast. */
const FAST_STAMP = "20991231T235959Z";

async function seed(sb: Sandbox, count: number, tag: string): Promise<void> {
  const args = ["MSET"];
  for (let i = 0; i < count; i++) args.push(`key:${i}`, `${tag}-${i}`);
  await redisCommand(sb, args);
}

/**
 * Waits until the wall clock is in the next whole second: S3's LastModified has one-second
 * resolution (moto's too), so "uploaded after it" needs a later second, not a later millisecond;
 * within one second the newest is undecidable and the tie goes to the greater key.
 */
async function intoNextSecond(): Promise<void> {
  await sleep(1000 - (Date.now() % 1000) + 50);
}

describe("clocks", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, hostId: HOST });
  });
  afterAll(async () => sb?.stop());

  test("redis-restore BACKUP=latest restores the newest upload, not a dump stamped by a fast clock", async () => {
    // Given a dump of 10 keys, and the same dump uploaded under a stamp from a clock running fast
    await seed(sb, 10, "old");
    const first = await runJobProcess("redis-backup", sb.env);
    expect(first.code, first.stderr).toBe(0);
    const [oldKey] = await listKeys(sb, `redis/${HOST}/`);
    const oldLocal = join(sb.hostConfig.local.root, "redis", `dump-${oldKey.split("/")[2]}`);
    await putObject(sb, `redis/${HOST}/${FAST_STAMP}.rdb`, readFileSync(oldLocal), {
      "key-count": "10",
    });

    // And a later dump of 25 keys, uploaded after it
    await intoNextSecond();
    await seed(sb, 25, "new");
    const newest = await snapshot(sb);
    const second = await runJobProcess("redis-backup", sb.env);
    expect(second.code, second.stderr).toBe(0);
    const newKey = (await listKeys(sb, `redis/${HOST}/`)).find(
      (k) => k !== oldKey && !k.includes(FAST_STAMP),
    );

    // When the data is lost and redis-restore runs with BACKUP=latest (plaintext allowed, so
    // only the choice of dump can keep the planted one out)
    await redisCommand(sb, ["FLUSHALL"]);
    const restore = await runJobProcess("redis-restore", {
      ...sb.env,
      CONFIRM: "yes-restore",
      ALLOW_PLAINTEXT: "yes",
    });

    // Then the newest upload is back, all 25 keys
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`restored ${newKey}`);
    expect(await snapshot(sb)).toEqual(newest);
  });

  test("config-backup re-uploads an unchanged set whose archive is stamped after now", async () => {
    // Given set app archived, and its pointer's creation time from a clock running fast
    const pointerKey = `configs/${HOST}/app/latest.json`;
    const env = { ...sb.env, SETS: "app" };
    expect((await runJobProcess("config-backup", env)).code).toBe(0);
    const pointer = await getJsonObject<ConfigPointer>(sb, pointerKey);
    await putObject(
      sb,
      pointerKey,
      Buffer.from(JSON.stringify({ ...pointer, createdAt: "2099-12-31T23:59:59.000Z" })),
    );

    // When config-backup runs with nothing changed, in a later second than the first archive (its
    // key is stamped to the second, so a refresh in the same second would rewrite the same key)
    await intoNextSecond();
    const run = await runJobProcess("config-backup", env);

    // Then the set is archived again (its lifecycle age restarts) and the pointer names the new archive
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("refresh: the last archive is stamped after now");
    const after = await getJsonObject<ConfigPointer>(sb, pointerKey);
    expect(after.archiveKey).not.toBe(pointer.archiveKey);
    expect(Date.parse(after.createdAt)).toBeLessThan(Date.parse("2099-01-01T00:00:00Z"));
  });

  test("config-restore names the newest upload when latest.json is unreadable, not the greatest stamp", async () => {
    // Given an archive under a stamp from a fast clock, then a real one uploaded after it
    const prefix = `configs/${HOST}/app/`;
    await putObject(sb, `${prefix}${FAST_STAMP}-0123456789ab.tar.gz`, Buffer.from("old"));
    await intoNextSecond();
    const [envFile] = sb.hostConfig.configSets.app.paths;
    writeFileSync(envFile, `${readFileSync(envFile, "utf8")}CHANGED=yes\n`);
    expect((await runJobProcess("config-backup", { ...sb.env, SETS: "app" })).code).toBe(0);
    const newest = (await getJsonObject<ConfigPointer>(sb, `${prefix}latest.json`)).archiveKey;
    // And latest.json is damaged
    await putObject(sb, `${prefix}latest.json`, Buffer.from("{"));

    // When config-restore runs for set app
    const run = await runJobProcess("config-restore", { ...sb.env, SET: "app" });

    // Then it refuses and names the newest upload to use instead
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(
      `the newest is BACKUP=${newest.slice(prefix.length).replace(/\.tar\.gz$/, "")}`,
    );
  });

  describe("BGSAVE's wait with Redis's clock stepped back a day after its last save", () => {
    /**
     * The real server, with the LASTSAVE of the save before the step reported a day ahead (as
     * Redis reports it once its clock is set back: TIME is then a day behind LASTSAVE), and
     * optionally without `rdb_saves` (Redis before 7.0).
     */
    async function steppedBack(withSaveCounter: boolean): Promise<{
      readonly client: RedisCommands;
      readonly close: () => void;
    }> {
      const real = await redisClient(sb);
      await real.sendCommand(["SAVE"]);
      const beforeStep = Number(await real.sendCommand(["LASTSAVE"]));
      return {
        close: () => real.destroy(),
        client: {
          sendCommand: async (args) => {
            const reply = await real.sendCommand(args);
            const name = args.join(" ").toUpperCase();
            if (name === "LASTSAVE" && Number(reply) === beforeStep) return beforeStep + 86_400;
            if (name === "INFO PERSISTENCE" && !withSaveCounter)
              return String(reply).replace(/^rdb_saves:.*\r?\n/m, "");
            return reply;
          },
        },
      };
    }

    test.each([
      ["with rdb_saves", true],
      ["with LASTSAVE only", false],
    ])(
      "the wait ends when the save is done (%s), with its dump on disk",
      async (_, withSaveCounter) => {
        const { client, close } = await steppedBack(withSaveCounter);
        try {
          // Keys the save before the step does not hold
          await redisCommand(sb, ["SET", `after-step-${withSaveCounter}`, "1"]);
          const lines: string[] = [];
          await bgsaveAndWait(
            client,
            createLogger("test", (l) => lines.push(l)),
            10_000,
          );
          expect(lines.some((l) => l.includes("BGSAVE sent"))).toBe(true);
          const dump = join(sb.hostConfig.redis.dir, sb.hostConfig.redis.dbfilename);
          expect((await verifyDump(dump)).keys).toBe(Number(await redisCommand(sb, ["DBSIZE"])));
        } finally {
          close();
        }
      },
    );
  });
});
