/**
 * redis-backup: BGSAVE, wait until the new dump is really on disk, verify it, upload it to
 * `redis/<host>/<UTC stamp>.rdb` (SHA-256 and key count in metadata), keep the local copy.
 *
 * Parameters: USAGE below (`--help`).
 */
import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Metric } from "../../infra/catalog";
import { copyFileAtomic } from "../lib/atomicFile";
import { JobError } from "../lib/errors";
import { localCopyDir, localRoom, pruneLocalCopies } from "../lib/localCopies";
import { bgsaveAndWait, connectRedis, info, verifyDump } from "../lib/redis";
import { LOCAL_DUMP_PATTERN, REDIS_METADATA, redisObjectKey } from "../lib/redisDumps";
import type { JobUsage } from "../lib/jobCommand";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/runner";
import { utcStamp } from "../lib/time";

async function backup(ctx: JobContext): Promise<JobOutcome> {
  const { config, log } = ctx;
  const timeoutSeconds = ctx.params.integer("BGSAVE_TIMEOUT_SECONDS", 10, 6 * 3600, 600);
  ctx.params.check();

  const client = await connectRedis(config);
  let lastSave: number;
  let version: string;
  try {
    version = (await info(client, "server")).redis_version ?? "unknown";
    ({ lastSave } = await bgsaveAndWait(client, log, timeoutSeconds * 1000));
  } finally {
    client.destroy();
  }
  const stamp = utcStamp(new Date(lastSave * 1000));
  const source = join(config.redis.dir, config.redis.dbfilename);
  log.info("dump written", { source, lastSave: new Date(lastSave * 1000).toISOString() });

  // The copy is staged where the local copy lives, unless that disk is over its limit: then the
  // upload still happens (the S3 copy matters most) and the run fails afterwards to say so.
  const room = await localRoom(config, "redis");
  const stagingDir = room.ok
    ? localCopyDir(config, "redis")
    : await fs.mkdtemp(join(tmpdir(), "redis-backup-"));
  const copy = join(stagingDir, `dump-${stamp}.rdb`);
  try {
    await copyFileAtomic(source, copy, { mode: 0o640 });
    const dump = await verifyDump(copy);
    log.info("dump verified", { bytes: dump.bytes, rdbVersion: dump.rdbVersion, keys: dump.keys });

    const key = redisObjectKey(config.s3Prefixes.redis, ctx.hostId, stamp);
    const uploaded = await ctx.store().uploadFile(key, copy, {
      [REDIS_METADATA.keyCount]: String(dump.keys),
      [REDIS_METADATA.redisVersion]: version,
      [REDIS_METADATA.lastSave]: String(lastSave),
    });
    ctx.metrics.rowMetric("redis", Metric.backupBytes, uploaded.bytes);
    log.info("uploaded", {
      bucket: config.bucket,
      key,
      bytes: uploaded.bytes,
      sha256: uploaded.sha256,
      sse: uploaded.serverSideEncryption,
    });

    if (!room.ok) {
      throw new JobError(
        `uploaded s3://${config.bucket}/${key}, but refused the local copy: ${config.local.root} is ${room.percent}% full (limit ${room.limit}%)`,
        "free space on the backup disk; the S3 copy is complete",
      );
    }
    await pruneLocalCopies(config, "redis", LOCAL_DUMP_PATTERN, log);
    return {
      summary: `redis-backup: ${dump.keys} keys, ${uploaded.bytes} bytes -> s3://${config.bucket}/${key}`,
    };
  } finally {
    if (!room.ok) await fs.rm(stagingDir, { recursive: true, force: true });
  }
}

function main(): Promise<number> {
  return runJob("redis-backup", backup);
}

const USAGE: JobUsage = {
  summary:
    "BGSAVE, wait until the new dump is on disk, verify it, upload it to redis/<host>/<UTC stamp>.rdb and\n" +
    "keep the local copy.",
  parameters: { BGSAVE_TIMEOUT_SECONDS: "how long to wait for the dump, 10-21600 (default: 600)" },
};

exitWith("redis-backup", USAGE, main);
