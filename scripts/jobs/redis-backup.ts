/**
 * redis-backup: BGSAVE, wait until the new dump is really on disk, verify it, upload it to
 * `redis/<host>/<UTC stamp>.rdb` (SHA-256 and key count in metadata), keep the local copy. Both
 * copies are attempted whatever happens to the other, S3 first; the run fails if either failed.
 *
 * Parameters: JOB_PARAMETERS in infra/catalog/jobParameters.ts (`--help` lists them).
 */
import { promises as fs } from "node:fs";
import { basename, join } from "node:path";
import { Metric } from "../../infra/catalog";
import { publishFile, stageCopy } from "../lib/files/atomicFile";
import { makeWorkDir, removeLeftovers } from "../lib/files/leftovers";
import { localCopyDir, localRoom, pruneLocalCopies } from "../lib/storage/localCopies";
import { bgsaveAndWait, connectRedis, info, verifyDump } from "../lib/redis/client";
import { LOCAL_DUMP_PATTERN, REDIS_METADATA, redisObjectKey } from "../lib/redis/dumps";
import { SealedObjects } from "../lib/storage/sealedObjects";
import type { JobUsage } from "../lib/job/jobCommand";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";
import { utcStamp } from "../lib/job/time";
import { TwoLocations, localCopyError, localRoomRefusal } from "../lib/storage/twoLocations";
import { JOB_PARAMETERS, parameterUsage } from "../../infra/catalog/jobParameters";

const PARAMETERS = JOB_PARAMETERS["redis-backup"];

async function backup(ctx: JobContext): Promise<JobOutcome> {
  const { config, log } = ctx;
  const timeoutSeconds = ctx.params.integer(PARAMETERS.bgsaveTimeoutSeconds);
  ctx.params.check();
  // Before the disk is measured: a killed run's staged copy counts against the limit.
  await removeLeftovers(
    ctx.job,
    [{ dir: localCopyDir(config, "redis"), isFinal: (n) => LOCAL_DUMP_PATTERN.test(n) }],
    log,
  );

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

  // The copy is staged beside the local copy it becomes (a rename, no second copy). When the backup
  // volume refuses it (over its limit, or the dump does not fit), the dump is staged in a temp dir
  // instead: the off-site copy never depends on the local one.
  const copies = new TwoLocations(`Redis dump ${stamp}`);
  const localCopy = join(localCopyDir(config, "redis"), `dump-${stamp}.rdb`);
  let staged: string | undefined;
  const room = await copies.attempt("local copy", () => localRoom(config, "redis"));
  if (room?.ok) {
    staged = await copies.attempt("local copy", () =>
      stageCopy(source, localCopy).catch((error: unknown) => {
        throw localCopyError(config, localCopy, error);
      }),
    );
  } else if (room) {
    copies.record("local copy", localRoomRefusal(config, room));
  }
  const work = staged ? undefined : await makeWorkDir(ctx.job);
  try {
    if (work) staged = await stageCopy(source, join(work, `dump-${stamp}.rdb`));
    const copy = staged as string;
    const dump = await verifyDump(copy);
    log.info("dump verified", { bytes: dump.bytes, rdbVersion: dump.rdbVersion, keys: dump.keys });

    const key = redisObjectKey(config.s3Prefixes.redis, ctx.hostId, stamp);
    const uploaded = await copies.attempt("off-site copy", () =>
      // Encrypted on the host when the stack asks for it (clientSideEncryption); the local copy stays as is.
      new SealedObjects(ctx.store(), config, ctx.env).upload(
        key,
        copy,
        { host: ctx.hostId, row: "redis" },
        {
          [REDIS_METADATA.keyCount]: String(dump.keys),
          [REDIS_METADATA.redisVersion]: version,
          [REDIS_METADATA.lastSave]: String(lastSave),
        },
      ),
    );
    if (uploaded) {
      ctx.metrics.rowMetric("redis", Metric.backupBytes, uploaded.bytes);
      log.info("uploaded", {
        bucket: config.bucket,
        key,
        bytes: uploaded.bytes,
        sha256: uploaded.sha256,
        sse: uploaded.serverSideEncryption,
        clientSideEncrypted: config.clientSideEncryption !== undefined,
      });
    }
    if (!work) {
      await copies.attempt("local copy", () => publishFile(copy, localCopy, { mode: 0o640 }));
      if (!copies.failed("local copy")) log.info("local copy written", { path: localCopy });
    }
    await pruneLocalCopies(config, "redis", LOCAL_DUMP_PATTERN, log, {
      keep: work || copies.failed("local copy") ? [] : [basename(localCopy)],
    });
    copies.throwIfAny();
    return {
      summary: `redis-backup: ${dump.keys} keys, ${uploaded?.bytes} bytes -> s3://${config.bucket}/${key} and ${localCopy}`,
    };
  } finally {
    if (work) await fs.rm(work, { recursive: true, force: true });
    else if (staged && copies.failed("local copy")) await fs.rm(staged, { force: true });
  }
}

function main(): Promise<number> {
  return runJob("redis-backup", backup);
}

const USAGE: JobUsage = {
  summary:
    "BGSAVE, wait until the new dump is on disk, verify it, upload it to redis/<host>/<UTC stamp>.rdb and\n" +
    "keep the local copy.",
  parameters: parameterUsage(PARAMETERS),
};

exitWith("redis-backup", USAGE, main);
