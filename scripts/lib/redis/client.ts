/**
 * Redis for the backup and restore jobs: a client from the host config, INFO parsing, the
 * BGSAVE-and-really-wait that the runbook's `redis-cli BGSAVE; cp` lacks, and dump verification.
 */
import { promises as fs } from "node:fs";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { JobError } from "../job/errors";
import { runCommand } from "../job/exec";
import type { Logger } from "../job/log";
import { deadlineIn, sleep, waitFor } from "../job/time";

/**
 * The full Redis client is loaded on first use (dynamic import): it is the largest module in the
 * job bundles, and the health check, which imports the helpers below but talks to Redis through
 * the lighter `redisProbe`, must not pay for it (60 MB peak RSS goal, `npm run bench`).
 */
async function newClient(config: HostConfig) {
  const { createClient: create } = await import("@redis/client");
  return create({
    socket: {
      host: config.redis.host,
      port: config.redis.port,
      connectTimeout: 5000,
      reconnectStrategy: false,
    },
  });
}

export type RedisConnection = Awaited<ReturnType<typeof newClient>>;

/** What the helpers below need of a connection: the full client and `redisProbe` both have it. */
export interface RedisCommands {
  sendCommand(args: string[]): Promise<unknown>;
}

export async function connectRedis(config: HostConfig): Promise<RedisConnection> {
  const client = await newClient(config);
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new JobError(
      `cannot connect to Redis at ${config.redis.host}:${config.redis.port}: ${(error as Error).message}`,
      `check the service ('${config.redis.service.status.join(" ")}')`,
    );
  }
  return client;
}

export async function command(client: RedisCommands, args: readonly string[]): Promise<unknown> {
  return client.sendCommand([...args]);
}

/** One CONFIG GET value; the client may hand the reply over as [name, value] or as a map. */
export async function configGet(client: RedisCommands, name: string): Promise<string | undefined> {
  let reply: unknown;
  try {
    reply = await command(client, ["CONFIG", "GET", name]);
  } catch {
    return undefined;
  }
  if (Array.isArray(reply))
    return reply.length >= 2 && reply[1] !== "" ? String(reply[1]) : undefined;
  if (reply instanceof Map) return reply.has(name) ? String(reply.get(name)) : undefined;
  if (reply !== null && typeof reply === "object" && name in reply)
    return String((reply as Record<string, unknown>)[name]);
  return undefined;
}

/** `INFO <section>` as key → value. */
export async function info(
  client: RedisCommands,
  section: string,
): Promise<Record<string, string>> {
  const text = String(await command(client, ["INFO", section]));
  const result: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(":");
    if (at > 0 && !line.startsWith("#")) result[line.slice(0, at)] = line.slice(at + 1);
  }
  return result;
}

/** Keys in every database (`db0:keys=3,expires=1,…` lines of INFO keyspace). */
export async function keyCount(client: RedisCommands): Promise<number> {
  const keyspace = await info(client, "keyspace");
  return Object.values(keyspace).reduce(
    (sum, v) => sum + Number(/keys=(\d+)/.exec(v)?.[1] ?? 0),
    0,
  );
}

export async function lastSave(client: RedisCommands): Promise<number> {
  return Number(await command(client, ["LASTSAVE"]));
}

/**
 * Which save Redis last finished: `rdb_saves` (Redis 7.0+, snapshots since startup) and LASTSAVE.
 * A save of ours has finished when either moved: a counter, not a comparison of clocks, so a
 * step of Redis's clock (LASTSAVE is its wall clock) in either direction cannot hide it.
 */
interface SaveMark {
  readonly saves?: number;
  readonly lastSave: number;
}

async function saveMark(client: RedisCommands): Promise<SaveMark> {
  const saves = (await info(client, "persistence")).rdb_saves;
  return {
    ...(saves !== undefined ? { saves: Number(saves) } : {}),
    lastSave: await lastSave(client),
  };
}

function movedSince(before: SaveMark, now: SaveMark): boolean {
  return (
    (before.saves !== undefined && now.saves !== undefined && now.saves !== before.saves) ||
    now.lastSave !== before.lastSave
  );
}

/** Without `rdb_saves`, LASTSAVE (whole seconds) must not land on the second of the save before. */
const LASTSAVE_RESOLUTION_MS = 1000;

/**
 * Sends BGSAVE and waits until that save is on disk: the save mark (`SaveMark`) moved since just
 * before it was sent, no save or AOF rewrite runs, and `rdb_last_bgsave_status:ok`; a save already
 * running is waited for first. Every wait ends by `timeoutMs` on the job's monotonic clock
 * (`deadlineIn`), whatever Redis's or the host's wall clock does, with a JobError naming what it
 * waited for. Returns Redis's LASTSAVE (Unix seconds, Redis's clock) of the new dump.
 */
export async function bgsaveAndWait(
  client: RedisCommands,
  log: Logger,
  timeoutMs: number,
): Promise<{ readonly lastSave: number }> {
  const deadline = deadlineIn(timeoutMs);
  let before: SaveMark;
  for (;;) {
    const persistence = await info(client, "persistence");
    if (persistence.rdb_bgsave_in_progress === "1") {
      log.info("a background save is already running; waiting for it before starting ours");
    } else {
      before = await saveMark(client);
      if (before.saves === undefined) {
        await sleep(Math.min(LASTSAVE_RESOLUTION_MS, deadline.leftMs()));
        if (movedSince(before, await saveMark(client))) continue;
      }
      try {
        // SCHEDULE: if an AOF rewrite is running, Redis starts the save right after it.
        const reply = String(await command(client, ["BGSAVE", "SCHEDULE"]));
        log.info("BGSAVE sent", {
          reply,
          lastSaveBefore: before.lastSave,
          savesBefore: before.saves,
        });
        break;
      } catch (error) {
        if (!/already in progress/i.test((error as Error).message)) {
          throw new JobError(
            `Redis refused BGSAVE: ${(error as Error).message}`,
            "read the Redis log",
          );
        }
      }
    }
    if (deadline.passed())
      throw new JobError(
        `another background save kept running for ${Math.round(timeoutMs / 1000)} s`,
        "check the Redis log and disk; raise BGSAVE_TIMEOUT_SECONDS for a large dataset",
      );
    await sleep(Math.min(200, Math.max(1, deadline.leftMs())));
  }
  const after = await waitFor(
    async () => {
      const persistence = await info(client, "persistence");
      const mark = await saveMark(client);
      const idle =
        persistence.rdb_bgsave_in_progress === "0" && persistence.aof_rewrite_in_progress !== "1";
      if (movedSince(before, mark) && idle && persistence.rdb_last_bgsave_status === "ok")
        return mark.lastSave;
      if (
        !movedSince(before, mark) &&
        idle &&
        persistence.rdb_last_bgsave_status === "err" &&
        persistence.aof_rewrite_scheduled !== "1"
      ) {
        throw new JobError(
          "Redis BGSAVE failed (rdb_last_bgsave_status:err)",
          "read the Redis log: usually the dump directory is full or not writable",
        );
      }
      return undefined;
    },
    {
      timeoutMs: deadline.leftMs(),
      intervalMs: 200,
      onTimeout: () =>
        new JobError(
          `Redis BGSAVE did not finish within ${Math.round(timeoutMs / 1000)} s (LASTSAVE still ${before.lastSave}${before.saves !== undefined ? `, rdb_saves still ${before.saves}` : ""})`,
          "check the Redis log and disk; raise BGSAVE_TIMEOUT_SECONDS for a large dataset",
        ),
    },
  );
  return { lastSave: after };
}

export interface DumpCheck {
  readonly bytes: number;
  /** RDB format version from the header (`REDIS0010` → 10). */
  readonly rdbVersion: number;
  /** Keys in the dump, as counted by redis-check-rdb. */
  readonly keys: number;
  /** Keys whose TTL had already passed when the dump was checked (dropped when loaded). */
  readonly alreadyExpired: number;
}

/**
 * Checks a dump with Redis' own `redis-check-rdb` (the REDIS magic, every record, the trailing
 * CRC64) and returns its size, RDB version and key count. Throws a JobError for an empty file, a
 * non-dump, a dump the tool rejects, and a dump without a checksum.
 */
export async function verifyDump(path: string): Promise<DumpCheck> {
  const stat = await fs.stat(path);
  if (stat.size === 0) throw new JobError(`the Redis dump ${path} is empty`);
  const handle = await fs.open(path, "r");
  const header = Buffer.alloc(9);
  try {
    await handle.read(header, 0, 9, 0);
  } finally {
    await handle.close();
  }
  const magic = /^REDIS(\d{4})$/.exec(header.toString("latin1"));
  if (!magic) throw new JobError(`${path} is not a Redis dump (no REDIS magic at the start)`);
  const result = await runCommand(["redis-check-rdb", path], { timeoutMs: 30 * 60_000 });
  const keys = /\[info\]\s+(\d+)\s+keys read/.exec(result.stdout);
  // redis-check-rdb skips verification of a dump whose trailing CRC64 is zero ("saved with
  // checksum disabled") and still says it looks OK: such a dump could have been edited and its
  // SHA-256 recomputed. The managed fragment sets `rdbchecksum yes`, so every dump the jobs
  // make carries one; one without is refused.
  if (result.code === 0 && !/Checksum OK/.test(result.stdout)) {
    throw new JobError(
      `${path} carries no RDB checksum (redis-check-rdb: ${/saved with checksum disabled/.test(result.stdout) ? "saved with checksum disabled" : "no checksum verified"}); refusing a dump whose content cannot be verified`,
      "restore an older dump (BACKUP=<stamp>), and check that Redis runs with 'rdbchecksum yes' (the managed fragment sets it)",
    );
  }
  if (result.code !== 0 || !keys) {
    const detail = result.stdout.trim().split("\n").slice(-3).join(" | ") || result.stderr.trim();
    throw new JobError(
      `redis-check-rdb rejected ${path}: ${detail}`,
      "the dump is corrupt or truncated",
    );
  }
  return {
    bytes: stat.size,
    rdbVersion: Number(magic[1]),
    keys: Number(keys[1]),
    alreadyExpired: Number(/\[info\]\s+(\d+)\s+already expired/.exec(result.stdout)?.[1] ?? 0),
  };
}
