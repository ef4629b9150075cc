/**
 * The drill's Redis half: seed keys, kill Redis without saving, and check the restored dump by
 * content (every key written before the backup with its value, the load writes back a prefix of
 * those acknowledged) and its RPO. The backup and restore themselves run through the shipped
 * documents (main.ts).
 */
import { createClient } from "@redis/client";
import type { Sandbox } from "../sandbox";
import type { SteadyWrites } from "./steadyWriter";

const SEED_PREFIX = "drill:seed:";

/** A client of the sandbox's Redis that gives up at once when Redis goes away. */
export async function redisClient(sb: Sandbox) {
  const client = createClient({
    socket: { host: "127.0.0.1", port: sb.redis?.port ?? 0, reconnectStrategy: false },
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** Writes `count` seed keys; resolves with them (key → value). */
export async function seedRedis(sb: Sandbox, count: number): Promise<Record<string, string>> {
  const client = await redisClient(sb);
  const seeds: Record<string, string> = {};
  for (let i = 0; i < count; i++)
    seeds[`${SEED_PREFIX}${i}`] = `anchor-${i}-${(i * 7919) % 104729}`;
  await client.mSet(seeds);
  await client.disconnect();
  return seeds;
}

/** Redis dies without saving (as a host loss would leave it). */
export async function killRedis(sb: Sandbox): Promise<void> {
  const client = await redisClient(sb);
  await client.sendCommand(["SHUTDOWN", "NOSAVE"]).catch(() => undefined);
}

export interface RedisCheck {
  /** Seed keys and load writes acknowledged before the backup started. */
  readonly expected: number;
  /** Of those, back with their values. */
  readonly restored: number;
  /** Newest acknowledged load write to the newest one restored, seconds. */
  readonly rpoSeconds: number;
  readonly writes: number;
  readonly writesRestored: number;
}

/**
 * Checks the restored Redis against `seeds` and the `load` writes; `backupStartedAt` (ms since
 * the epoch): writes acknowledged before it must be back. Throws with the counts when they are not,
 * or when the load writes back are not the first ones acknowledged.
 */
export async function verifyRedis(
  sb: Sandbox,
  seeds: Readonly<Record<string, string>>,
  load: SteadyWrites,
  backupStartedAt: number,
): Promise<RedisCheck> {
  const client = await redisClient(sb);
  const seedKeys = Object.keys(seeds);
  const seedValues = await client.mGet(seedKeys);
  const seedsRestored = seedKeys.filter((k, i) => seedValues[i] === seeds[k]).length;
  const acked = load.acked;
  const loadValues = acked.length > 0 ? await client.mGet(acked.map((w) => w.key)) : [];
  await client.disconnect();
  const present = acked.filter((w, i) => loadValues[i] === w.value);
  const beforeBackup = acked.filter((w) => w.ackedAt < backupStartedAt);
  const missingBeforeBackup = beforeBackup.filter((w) => !present.includes(w));
  const prefixIntact = present.every((w, i) => w === acked[i]);
  const expected = seedKeys.length + beforeBackup.length;
  const restored = seedsRestored + beforeBackup.length - missingBeforeBackup.length;
  if (restored !== expected || !prefixIntact)
    throw new Error(
      `Redis: ${restored} of ${expected} expected keys restored${prefixIntact ? "" : "; restored writes are not a prefix of the acknowledged ones"}`,
    );
  const lastAck = acked.at(-1)?.ackedAt ?? backupStartedAt;
  const rpoSeconds = (lastAck - (present.at(-1)?.ackedAt ?? backupStartedAt)) / 1000;
  return { expected, restored, rpoSeconds, writes: acked.length, writesRestored: present.length };
}
