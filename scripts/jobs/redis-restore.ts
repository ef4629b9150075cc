/**
 * redis-restore: puts a dump from S3 back into Redis. A dry run by default: it resolves the dump
 * and prints every step it would take. With CONFIRM=yes-restore it downloads and verifies the
 * dump, stops Redis, moves the current dump (and AOF) aside, puts the dump in place atomically
 * with Redis's owner, starts Redis (with AOF off for the load if it was on, then on again), and
 * checks the key count against the one recorded at backup time.
 *
 * Parameters: JOB_PARAMETERS in infra/catalog/jobParameters.ts (`--help` lists them).
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { account } from "../lib/job/accounts";
import { moveAside, publishFile, tempSibling, writeFileAtomic } from "../lib/files/atomicFile";
import { JobError, UsageError } from "../lib/job/errors";
import {
  connectRedis,
  info,
  keyCount,
  verifyDump,
  type RedisConnection,
} from "../lib/redis/client";
import {
  aofLocations,
  enableAofAndWait,
  fragmentTurnsAofOn,
  withAofOff,
} from "./redis-restore/redisAof";
import { DUMP_OBJECT_PATTERN, REDIS_METADATA, redisHostPrefix } from "../lib/redis/dumps";
import { configAt } from "../lib/job/restoreSource";
import { SealedObjects } from "../lib/storage/sealedObjects";
import type { JobUsage } from "../lib/job/jobCommand";
import { removeLeftovers } from "../lib/files/leftovers";
import { newestObject, type BackupStore } from "../lib/storage/s3";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";
import { startService, stopService } from "../lib/job/service";
import { utcStamp, waitFor } from "../lib/job/time";
import { JOB_PARAMETERS, parameterUsage } from "../../infra/catalog/jobParameters";

const PARAMETERS = JOB_PARAMETERS["redis-restore"];

interface ChosenDump {
  readonly key: string;
  readonly expectedKeys: number;
  readonly bytes: number;
}

async function chooseDump(
  ctx: JobContext,
  store: BackupStore,
  sourceHost: string,
  backup: string,
): Promise<ChosenDump> {
  const prefix = redisHostPrefix(ctx.config.s3Prefixes.redis, sourceHost);
  let key: string;
  if (backup === "latest") {
    // The newest upload, not the greatest stamp: a dump's stamp is Redis's LASTSAVE, and one
    // taken while that clock ran fast would otherwise shadow every later dump.
    const newest = newestObject(
      (await store.list(prefix)).filter((o) =>
        DUMP_OBJECT_PATTERN.test(o.key.slice(prefix.length)),
      ),
    );
    if (!newest)
      throw new UsageError(
        `no Redis dump under s3://${store.bucket}/${prefix}`,
        "check SOURCE_HOST; redis-backup writes there",
      );
    key = newest.key;
  } else {
    key = `${prefix}${backup.replace(/\.rdb$/, "")}.rdb`;
  }
  const head = await store.head(key);
  if (!head)
    throw new UsageError(
      `no Redis dump s3://${store.bucket}/${key}`,
      `list s3://${store.bucket}/${prefix} for the stamps that exist, or use BACKUP=latest`,
    );
  const expectedKeys = Number(head.metadata[REDIS_METADATA.keyCount]);
  if (!Number.isInteger(expectedKeys))
    throw new JobError(
      `s3://${store.bucket}/${key} has no key-count metadata; redis-backup did not write it`,
    );
  return { key, expectedKeys, bytes: head.size };
}

interface LiveState {
  readonly running: boolean;
  readonly aofOn: boolean;
  readonly aofDirName?: string;
  readonly aofFileName: string;
}

async function liveState(ctx: JobContext): Promise<LiveState> {
  let client: RedisConnection | undefined;
  try {
    client = await connectRedis(ctx.config);
  } catch {
    ctx.log.warn("Redis is not answering; using the host config's appendonly setting", {
      appendonly: ctx.config.redis.appendonly,
    });
    return { running: false, aofOn: ctx.config.redis.appendonly, aofFileName: "appendonly.aof" };
  }
  try {
    const persistence = await info(client, "persistence");
    const locations = await aofLocations(client);
    return {
      running: true,
      aofOn: persistence.aof_enabled === "1",
      ...(locations.dirName ? { aofDirName: locations.dirName } : {}),
      aofFileName: locations.fileName,
    };
  } finally {
    client.destroy();
  }
}

/** Waits for the dump to finish loading, then returns keys loaded (+ expired on load when Redis reports it). */
async function loadedKeys(
  ctx: JobContext,
  timeoutMs: number,
): Promise<{ readonly loaded: number; readonly expiredOnLoad: number }> {
  const client = await waitFor(
    async () => {
      try {
        return await connectRedis(ctx.config);
      } catch {
        return undefined;
      }
    },
    {
      timeoutMs,
      onTimeout: () => new JobError("Redis did not accept connections after the start"),
    },
  );
  try {
    const persistence = await waitFor(
      async () => {
        const p = await info(client, "persistence");
        return p.loading === "0" ? p : undefined;
      },
      {
        timeoutMs,
        onTimeout: () =>
          new JobError(`Redis was still loading the dump after ${Math.round(timeoutMs / 1000)} s`),
      },
    );
    // Redis 7 reports exactly what the load read; older versions only let us count keys now.
    if (persistence.rdb_last_load_keys_loaded !== undefined) {
      return {
        loaded: Number(persistence.rdb_last_load_keys_loaded),
        expiredOnLoad: Number(persistence.rdb_last_load_keys_expired ?? 0),
      };
    }
    return { loaded: await keyCount(client), expiredOnLoad: 0 };
  } finally {
    client.destroy();
  }
}

async function restore(ctx: JobContext): Promise<JobOutcome> {
  const { config, log } = ctx;
  const confirmed = ctx.params.confirmed(PARAMETERS.confirm);
  const backup = ctx.params.text(
    PARAMETERS.backup.env,
    /^(latest|\d{8}T\d{6}Z(\.rdb)?)$/,
    "'latest' or a dump's UTC stamp such as 20240115T020000Z",
    "latest",
  ) as string;
  const sourceHost = ctx.params.sourceHost(PARAMETERS.sourceHost, ctx.hostId);
  const source = ctx.params.source(PARAMETERS.source, config);
  const timeoutMs = ctx.params.integer(PARAMETERS.timeoutSeconds) * 1000;
  const allowPlaintext = ctx.params.flag(PARAMETERS.allowPlaintext);
  ctx.params.check();

  const store = ctx.storeAt(source);
  const dump = await chooseDump(ctx, store, sourceHost, backup);
  const live = await liveState(ctx);
  const target = join(config.redis.dir, config.redis.dbfilename);
  const runStamp = utcStamp(ctx.startedAt);
  const asideSuffix = `pre-restore-${runStamp}`;
  const owner = `${config.redis.owner.user}:${config.redis.owner.group}`;
  const steps = [
    `download s3://${store.bucket}/${dump.key} (${dump.bytes} bytes, ${source} bucket) into ${config.redis.dir}, verify its SHA-256, decrypt it if it is client-side encrypted, and check it with redis-check-rdb (${dump.expectedKeys} keys recorded)`,
    live.running
      ? `stop Redis ('${config.redis.service.stop.join(" ")}')`
      : "leave Redis stopped (it is not running)",
    `move the current ${target} aside to ${target}.${asideSuffix}`,
    ...(live.aofOn
      ? [
          `move the AOF (${[live.aofDirName, live.aofFileName].filter(Boolean).join(", ")}) aside with suffix .${asideSuffix} and set 'appendonly no' in ${config.redis.managedConfigFile} for the load`,
        ]
      : []),
    `put the dump in place as ${target}, owned by ${owner}, mode 0660 (atomic rename)`,
    `start Redis ('${config.redis.service.start.join(" ")}') and check it loaded ${dump.expectedKeys} keys`,
    ...(live.aofOn
      ? ["turn AOF back on (CONFIG SET appendonly yes), wait for the rewrite, restore the fragment"]
      : []),
  ];
  if (!confirmed) {
    steps.forEach((text, i) => log.info(`DRY RUN step ${i + 1}: would ${text}`));
    return {
      summary: `redis-restore DRY RUN: would restore ${dump.key} (${dump.expectedKeys} keys); nothing was changed. Set CONFIRM=yes-restore to restore.`,
    };
  }

  let step = 0;
  const next = (fields?: Record<string, unknown>) =>
    log.info(`step ${++step}: ${steps[step - 1]}`, fields);
  const { uid, gid } = account(config.redis.owner.user, config.redis.owner.group);
  // Staged beside the dump it replaces (an atomic rename); a killed restore's is removed by the
  // next confirmed one.
  await removeLeftovers(
    ctx.job,
    [{ dir: config.redis.dir, isFinal: (n) => n === config.redis.dbfilename }],
    log,
  );
  const staged = tempSibling(target);
  let fragmentChanged = false;
  try {
    next();
    // The source's own region: its KMS endpoint opens the envelope with that region's key.
    await new SealedObjects(store, configAt(config, source), ctx.env).download(
      dump.key,
      staged,
      { host: sourceHost, row: "redis" },
      { mode: 0o600, allowPlaintext },
    );
    const check = await verifyDump(staged);
    if (check.keys !== dump.expectedKeys) {
      throw new JobError(
        `the downloaded dump holds ${check.keys} keys but ${dump.expectedKeys} were recorded at backup time`,
        "nothing was changed; pick another BACKUP",
      );
    }
    next();
    await stopService("Redis", config.redis.service, log, timeoutMs);
    next({ movedTo: await moveAside(target, asideSuffix) });
    if (live.aofOn) {
      const moved = [];
      for (const name of [live.aofDirName, live.aofFileName]) {
        if (name) moved.push(await moveAside(join(config.redis.dir, name), asideSuffix));
      }
      const fragment = await fs.readFile(config.redis.managedConfigFile, "utf8");
      if (fragmentTurnsAofOn(fragment)) {
        await writeFileAtomic(config.redis.managedConfigFile, withAofOff(fragment), {
          mode: 0o644,
        });
        fragmentChanged = true;
      }
      next({ movedTo: moved.filter(Boolean), fragmentChanged });
    }
    next();
    await publishFile(staged, target, { mode: 0o660, uid, gid });
    next();
    await startService("Redis", config.redis.service, log, timeoutMs);
    const { loaded, expiredOnLoad } = await loadedKeys(ctx, timeoutMs);
    if (loaded + expiredOnLoad !== dump.expectedKeys) {
      throw new JobError(
        `Redis loaded ${loaded} keys (+${expiredOnLoad} expired on load), but the backup recorded ${dump.expectedKeys}`,
        `the previous dump is at ${target}.${asideSuffix}; check 'appendonly' and the Redis log`,
      );
    }
    log.info("key count matches the backup", {
      loaded,
      expiredOnLoad,
      expected: dump.expectedKeys,
    });
    if (live.aofOn) {
      next();
      const client = await connectRedis(config);
      try {
        await enableAofAndWait(client, timeoutMs);
      } finally {
        client.destroy();
      }
      if (fragmentChanged) {
        const fragment = await fs.readFile(config.redis.managedConfigFile, "utf8");
        await writeFileAtomic(
          config.redis.managedConfigFile,
          fragment.replace(/^appendonly\s+no\s*$/m, "appendonly yes"),
          { mode: 0o644 },
        );
        fragmentChanged = false;
      }
    }
    return {
      summary: `redis-restore: restored ${dump.key}: ${loaded} keys loaded; previous dump kept at ${target}.${asideSuffix}`,
    };
  } catch (error) {
    if (fragmentChanged && error instanceof JobError) {
      // Putting `appendonly yes` back without an AOF could start Redis empty on the next restart.
      throw new JobError(
        `${error.message}. AOF is still off in ${config.redis.managedConfigFile}`,
        `after checking the data: CONFIG SET appendonly yes, wait for the rewrite, then reinstall the fragment; ${error.hint ?? ""}`,
      );
    }
    throw error;
  } finally {
    await fs.rm(staged, { force: true });
  }
}

function main(): Promise<number> {
  return runJob("redis-restore", restore);
}

const USAGE: JobUsage = {
  summary:
    "Puts a Redis dump from S3 back. A dry run unless CONFIRM=yes-restore: it prints every step it would\n" +
    "take; confirmed, it stops Redis, moves the current dump aside, loads the dump and checks the key count.",
  parameters: parameterUsage(PARAMETERS),
};

exitWith("redis-restore", USAGE, main);
