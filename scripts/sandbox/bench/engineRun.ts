/**
 * One engine measured on the data already in the sandbox's cluster: PostgreSQL archives through
 * it (ALTER SYSTEM, reloaded), a full backup with an immediate checkpoint, the fixed write load
 * while the repository is listed every half second (RPO), the archive drained, the bytes it
 * stores, and a restore of its backup into a throwaway cluster until that cluster takes a write.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { freeLoopbackPort } from "../../lib/job/loopbackPort";
import { throwawayLayout, withRestoredThrowaway } from "../../lib/postgres/throwawayCluster";
import { secondsSince, sleep } from "../../lib/job/time";
import { DEFAULT_WAL_SEGMENT_BYTES } from "../../lib/postgres/walSegments";
import { withClient } from "./benchClient";
import type { BenchEngine } from "./engines/benchEngine";
import { listRepository, removeRepository } from "./repositoryListing";
import { archivedEnd, parseLsn, rpoSeries, type RepositorySample } from "./rpo";
import { steadyWriteLoad } from "./writeLoad";

export interface LoadSettings {
  readonly seconds: number;
  readonly pgbenchRate: number;
  readonly probeIntervalMs: number;
  readonly sampleIntervalMs: number;
}

export interface EngineRunResult {
  readonly backupSeconds: number;
  readonly restoreSeconds: number;
  readonly storedBytes: number;
  readonly storedObjects: number;
  /** RPO at every repository sample during the load, seconds. */
  readonly rpoSamples: number[];
  readonly loadWalBytes: number;
  readonly pgbenchTransactions: number;
}

const DRAIN_TIMEOUT_MS = 5 * 60_000;
const RESTORE_TIMEOUT_MS = 60 * 60_000;

/** Points archive_command and archive_timeout at `engine` and starts a fresh segment for it. */
export async function archiveThrough(host: HostConfig, engine: BenchEngine): Promise<bigint> {
  return withClient(host, host.postgres.connection.database, async (client) => {
    await client.query(`ALTER SYSTEM SET archive_command = $$${engine.archiveCommand}$$`);
    await client.query(`ALTER SYSTEM SET archive_timeout = '${engine.archiveTimeoutSeconds}s'`);
    await client.query("SELECT pg_reload_conf()");
    await sleep(500);
    await client.query("SELECT pg_switch_wal()");
    const { rows } = await client.query<{ lsn: string }>(
      "SELECT pg_current_wal_lsn()::text AS lsn",
    );
    return parseLsn(rows[0].lsn) / BigInt(DEFAULT_WAL_SEGMENT_BYTES);
  });
}

/** Switches segment and waits until PostgreSQL's archiver has handed every segment to the engine. */
async function drainArchive(host: HostConfig): Promise<void> {
  await withClient(host, host.postgres.connection.database, async (client) => {
    const { rows } = await client.query<{ wal: string }>(
      "SELECT pg_walfile_name(pg_switch_wal()) AS wal",
    );
    const target = rows[0].wal;
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    for (;;) {
      const status = await client.query<{ last: string | null; failed: string | null }>(
        "SELECT last_archived_wal AS last, last_failed_wal AS failed FROM pg_stat_archiver",
      );
      const last = status.rows[0].last;
      if (last !== null && last.slice(0, 24) >= target) return;
      if (Date.now() > deadline)
        throw new Error(
          `PostgreSQL did not archive ${target} within ${DRAIN_TIMEOUT_MS / 60_000} min (last archived ${last}, last failed ${status.rows[0].failed})`,
        );
      await sleep(200);
    }
  });
}

/**
 * `restore` into a throwaway cluster under `root`; seconds from the start of `restore` until the
 * promoted cluster accepted a write.
 */
export async function timedRestore(
  host: HostConfig,
  restore: (pgData: string, scratchRoot: string) => Promise<void>,
  root: string,
): Promise<number> {
  const scratch = join(root, "restore");
  const cluster = throwawayLayout(scratch, await freeLoopbackPort());
  let started = 0;
  try {
    return await withRestoredThrowaway(
      host,
      cluster,
      scratch,
      {
        restore: async () => {
          started = performance.now();
          await restore(cluster.pgData, scratch);
        },
        database: "postgres",
        timeoutMs: RESTORE_TIMEOUT_MS,
      },
      async (client) => {
        await client.query("CREATE TABLE bench_writable AS SELECT now() AS at");
        return secondsSince(started);
      },
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function runEngine(options: {
  readonly host: HostConfig;
  readonly engine: BenchEngine;
  readonly client: S3Client;
  readonly bucket: string;
  readonly database: string;
  readonly root: string;
  readonly load: LoadSettings;
  readonly progress: (message: string) => void;
}): Promise<EngineRunResult> {
  const { host, engine, client, bucket, progress } = options;
  progress(`${engine.title}: repository`);
  await removeRepository(client, bucket, engine.repositoryPrefix);
  await engine.prepare();
  const firstIndex = await archiveThrough(host, engine);
  progress(`${engine.title}: full backup (immediate checkpoint)`);
  const backupStarted = performance.now();
  await engine.backup();
  const backupSeconds = secondsSince(backupStarted);

  progress(`${engine.title}: ${options.load.seconds} s of write load, repository listed for RPO`);
  const samples: RepositorySample[] = [];
  const load = await steadyWriteLoad({
    host,
    database: options.database,
    ...options.load,
    sample: async () => {
      const listing = await listRepository(client, bucket, engine.walPrefix);
      samples.push({ atMs: Date.now(), archivedEnd: archivedEnd(listing.segments, 1, firstIndex) });
    },
  });
  await drainArchive(host);
  const stored = await listRepository(client, bucket, engine.repositoryPrefix);

  progress(`${engine.title}: restore to a writable cluster`);
  const restoreSeconds = await timedRestore(
    host,
    (pgData, scratch) => engine.restore(pgData, scratch),
    options.root,
  );
  return {
    backupSeconds,
    restoreSeconds,
    storedBytes: stored.bytes,
    storedObjects: stored.objects,
    rpoSamples: rpoSeries(samples, load.writes),
    loadWalBytes: load.walBytes,
    pgbenchTransactions: load.pgbenchTransactions,
  };
}
