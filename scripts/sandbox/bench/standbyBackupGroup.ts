/**
 * Figure group `standby-backup`: this project's engine with the stack's shipped defaults backing up
 * from the sandbox's streaming standby, at each pgbench scale, in one run on the same data, every
 * backup a full with an immediate checkpoint. Needs a sandbox started with a standby
 * (`startSandbox({ standby })`).
 *
 * Per scale, once the standby has replayed the data: a full backup from the primary (timed); a full
 * backup from the standby through the adapter (`BackupRequest.standby`), timed until the WAL
 * segment it ends in is archived (`awaitArchivedSegment`: not usable before); and a further full
 * backup from the standby with the engine under strace (`engineTrace.ts`), untimed, whose reads of
 * files under the primary's and the standby's data directories are the read figures.
 */
import { realpathSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import type { StandbyCluster } from "../../../infra/catalog/backupFrom";
import { engineFor } from "../../lib/engines";
import { hostIdOf } from "../../lib/job/hostConfig";
import { waitFor } from "../../lib/job/time";
import { awaitArchivedSegment } from "../../lib/postgres/standbyBackup";
import type { Sandbox } from "../sandbox";
import { engineSettings, freshProjectEngine, requireKind, timed } from "./backupPlansGroup";
import { withClient } from "./benchClient";
import { straceUnavailableReason, traceEngine } from "./engineTrace";
import type { BenchGroup } from "./figures";
import { perScaleGroup } from "./scaleGroup";
import { clusterBytes, createPgbenchDatabase } from "./pgbenchData";
import { parseLsn } from "./rpo";
import {
  standbyBackupFigures,
  TRACE_SANITY_SHARE,
  type StandbyMeasurement,
  type StandbyReads,
} from "./standbyBackupFigures";
import { readsUnder, STRACE_READ_CALLS } from "./straceReads";

const REPLAY_TIMEOUT_MS = 10 * 60_000;

export interface StandbyBackupGroupOptions {
  /** A sandbox with a streaming standby (`Sandbox.standby`). */
  readonly sandbox: Sandbox;
  readonly scales: readonly number[];
  readonly quick: boolean;
  readonly progress: (message: string) => void;
}

/**
 * Waits until `standby` has replayed the primary's WAL up to the primary's position when called
 * (`pg_last_wal_replay_lsn() >= pg_current_wal_lsn()`), so a backup from it holds what the primary
 * held then. Throws after `timeoutMs`.
 */
async function awaitReplay(
  host: HostConfig,
  standby: StandbyCluster,
  timeoutMs: number,
): Promise<void> {
  const target = await withClient(host, host.postgres.connection.database, async (client) => {
    const { rows } = await client.query<{ lsn: string }>(
      "SELECT pg_current_wal_lsn()::text AS lsn",
    );
    return rows[0].lsn;
  });
  const c = host.postgres.connection;
  const client = new Client({
    host: standby.socketDir,
    port: standby.port,
    user: c.user,
    database: c.database,
  });
  await client.connect();
  let replayed: string | null = null;
  try {
    await waitFor(
      async () => {
        const { rows } = await client.query<{ lsn: string | null }>(
          "SELECT pg_last_wal_replay_lsn()::text AS lsn",
        );
        replayed = rows[0].lsn;
        return replayed !== null && parseLsn(replayed) >= parseLsn(target) ? true : undefined;
      },
      {
        timeoutMs,
        intervalMs: 200,
        onTimeout: () =>
          new Error(
            `the standby did not replay the primary's WAL up to ${target} within ${timeoutMs / 1000} s (replayed up to ${replayed})`,
          ),
      },
    );
  } finally {
    await client.end();
  }
}

/**
 * A full backup read from `standby` through `host`'s engine, as pg-backup takes one: resolves once
 * the WAL segment it ends in is in the repository.
 */
async function fullFromStandby(host: HostConfig, standby: StandbyCluster): Promise<void> {
  const hostId = hostIdOf(host);
  const adapter = engineFor(host, hostId);
  const backup = requireKind(
    await adapter.backup({
      kind: "full",
      repository: "s3",
      annotations: {},
      startFast: true,
      standby,
    }),
    "full",
  );
  await awaitArchivedSegment(
    host,
    adapter,
    { repository: "s3", host: hostId },
    backup.walStop,
    Math.max(120, host.postgres.archiveTimeoutSeconds) * 1000,
  );
}

/** A further full backup from `standby` with the engine under strace: what it read, and where. */
async function tracedReads(
  host: HostConfig,
  standby: StandbyCluster,
  traceDir: string,
): Promise<StandbyReads> {
  const unavailable = straceUnavailableReason();
  if (unavailable !== undefined) return { measured: false, reason: unavailable };
  const trace = traceEngine(host, traceDir);
  await fullFromStandby(trace.host, standby);
  const reads = trace.reads();
  // The trace names files as the kernel resolves them.
  return {
    measured: true,
    primary: readsUnder(reads, realpathSync(host.postgres.pgData)),
    standby: readsUnder(reads, realpathSync(standby.pgData)),
  };
}

async function measureScale(
  options: StandbyBackupGroupOptions,
  standby: StandbyCluster,
  scale: number,
): Promise<{ measurement: StandbyMeasurement; settings: Record<string, string> }> {
  const { sandbox, progress } = options;
  const host = sandbox.hostConfig;
  progress(`standby backup: pgbench -i -s ${scale}`);
  await createPgbenchDatabase(host, scale);
  const databaseBytes = await clusterBytes(host);
  const { context, engine, plans } = await freshProjectEngine(sandbox);
  progress("standby backup: waiting for the standby to replay the data");
  await awaitReplay(host, standby, REPLAY_TIMEOUT_MS);

  progress(`standby backup: ${engine.title}: full backup from the primary`);
  const primaryFull = await timed(() => plans.backup("full"));
  requireKind(primaryFull.result, "full");
  progress("standby backup: full backup from the standby");
  const standbyFull = await timed(() => fullFromStandby(host, standby));
  progress("standby backup: full backup from the standby under strace (untimed)");
  const reads = await tracedReads(host, standby, join(context.root, `trace-scale${scale}`));
  return {
    measurement: {
      engine: engine.key,
      scale,
      databaseBytes,
      primaryFullSeconds: primaryFull.seconds,
      standbyFullSeconds: standbyFull.seconds,
      reads,
    },
    settings: engineSettings(engine),
  };
}

/**
 * Measures the group at each of `options.scales` in turn (each a fresh pgbench database and an
 * emptied repository). Throws when the sandbox has no standby or a backup or wait fails.
 */
export async function standbyBackupGroup(options: StandbyBackupGroupOptions): Promise<BenchGroup> {
  const standby = options.sandbox.standby;
  if (!standby) throw new Error("the standby-backup group needs a sandbox with a standby");
  return perScaleGroup({
    group: "standby-backup",
    scales: options.scales,
    quick: options.quick,
    measure: (scale) => measureScale(options, standby, scale),
    figuresOf: standbyBackupFigures,
    settings: {
      standby:
        "a streaming standby of the sandbox cluster (pg_basebackup -R) on the same machine, replayed up to the primary's WAL position after pgbench -i before the first backup",
      backups:
        "per scale, in order: a full from the primary, a full from the standby (timed until the WAL segment it ends in was archived), a full from the standby under strace (untimed); each with an immediate checkpoint",
      reads: `the engine run through a wrapper: strace -f -y -e trace=${STRACE_READ_CALLS.join(",")}, over every engine process of the backup (the adapter's listings and the archive wait included); bytes each call returned, summed per file under the primary's and the standby's data directories; below ${TRACE_SANITY_SHARE * 100} % of the database read from the standby, the trace counts as blind and the read figures are not measured`,
      leftOut:
        "PostgreSQL's own reads on the primary (its checkpoint, pg_backup_start and pg_backup_stop, the WAL sender streaming to the standby): PostgreSQL 15 has no pg_stat_io to attribute them; the engine's reads are what a backup adds",
    },
  });
}
