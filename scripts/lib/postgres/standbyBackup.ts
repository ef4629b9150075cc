/**
 * A backup read from a streaming standby (infra/catalog/backupFrom.ts): whether the standby can be
 * read from right now, which cluster a run reads from, and the wait that makes such a backup
 * usable. A standby's backup stops at a WAL position the primary writes: until the primary has
 * archived the segment holding it, the backup cannot be restored, and an idle primary would not
 * close that segment for up to `archive_timeout` (or never, with nothing written at all), so the
 * wait switches a segment on the primary itself.
 */
import { realpath } from "node:fs/promises";
import type { Client } from "pg";
import type { StandbyBackupSource, StandbyCluster } from "../../../infra/catalog/backupFrom";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import type { PostgresEngineAdapter, RepositorySource } from "../engines/adapter";
import { JobError } from "../job/errors";
import { waitFor } from "../job/time";
import { connectPostgres, openClient } from "./connection";

const MIB = 1024 * 1024;

/** Whether the standby can be read from, with the figure or the reason. */
export type StandbyVerdict =
  | { readonly usable: true; readonly lagBytes: number }
  | { readonly usable: false; readonly reason: string };

/** `<socketDir>:<port>`: the standby as messages name it. */
export function standbyAddress(standby: StandbyCluster): string {
  return `${standby.socketDir}:${standby.port}`;
}

function connectStandby(config: HostConfig, standby: StandbyCluster): Promise<Client> {
  return openClient(
    {
      host: standby.socketDir,
      port: standby.port,
      user: config.postgres.connection.user,
      database: config.postgres.connection.database,
    },
    60_000,
  );
}

const SYSTEM_ID = "(SELECT system_identifier::text FROM pg_control_system())";

/**
 * Checks the standby named by `from` against the primary this job runs beside: it answers, is in
 * recovery, has the primary's system identifier, and has replayed to within `maxReplayLagMb` of
 * the primary's current WAL position (bytes, `pg_wal_lsn_diff`). Never throws for the standby's
 * sake; a primary that cannot be reached throws (`connectPostgres`).
 */
export async function standbyVerdict(
  config: HostConfig,
  from: StandbyBackupSource,
): Promise<StandbyVerdict> {
  const at = `the standby at ${standbyAddress(from.standby)}`;
  let state: {
    recovery: boolean;
    system_id: string;
    replay: string | null;
    data_directory: string;
    paused: boolean | null;
    receiver: string | null;
  };
  try {
    const client = await connectStandby(config, from.standby);
    try {
      const { rows } = await client.query<typeof state>(
        `SELECT pg_is_in_recovery() AS recovery, ${SYSTEM_ID} AS system_id,
                pg_last_wal_replay_lsn()::text AS replay,
                current_setting('data_directory') AS data_directory,
                CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS paused,
                (SELECT status FROM pg_stat_wal_receiver) AS receiver`,
      );
      state = rows[0];
    } finally {
      await client.end();
    }
  } catch (error) {
    return { usable: false, reason: `${at} does not answer: ${(error as Error).message}` };
  }
  if (!state.recovery)
    return {
      usable: false,
      reason: `${at} is not in recovery: it is no standby (was it promoted?)`,
    };
  // The engine reads the files under standby.pgData, whatever answers on the port: another
  // directory (an old copy of the standby) would be backed up as if it were the cluster.
  const named = await realpath(from.standby.pgData).catch(() => undefined);
  const running = await realpath(state.data_directory).catch(() => state.data_directory);
  if (named !== running)
    return {
      usable: false,
      reason: `${at} runs in ${state.data_directory}, not in postgres.backupFrom.standby.pgData ${from.standby.pgData}${named === undefined ? " (which does not exist)" : ""}`,
    };
  if (state.replay === null) return { usable: false, reason: `${at} has replayed no WAL yet` };
  if (state.paused === true)
    return { usable: false, reason: `${at} has WAL replay paused (pg_wal_replay_pause())` };
  // Without a streaming WAL receiver the standby falls behind while its lag still reads 0 on an
  // idle primary, and the engine would wait in vain for it to replay the backup's start.
  if (state.receiver !== "streaming")
    return {
      usable: false,
      reason: `${at} is not streaming from the primary (WAL receiver ${state.receiver ?? "not running"})`,
    };
  const primary = await connectPostgres(config);
  try {
    const { rows } = await primary.query<{ system_id: string; lag: string }>(
      `SELECT ${SYSTEM_ID} AS system_id, pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint::text AS lag`,
      [state.replay],
    );
    const { system_id: primaryId, lag } = rows[0];
    if (primaryId !== state.system_id)
      return {
        usable: false,
        reason: `${at} is a copy of another cluster (system identifier ${state.system_id}, the primary's is ${primaryId})`,
      };
    const lagBytes = Math.max(0, Number(lag));
    if (lagBytes > from.maxReplayLagMb * MIB)
      return {
        usable: false,
        reason: `${at} is ${(lagBytes / MIB).toFixed(1)} MiB of WAL behind the primary (postgres.backupFrom.maxReplayLagMb: ${from.maxReplayLagMb})`,
      };
    return { usable: true, lagBytes };
  } finally {
    await primary.end();
  }
}

/** Where a run reads from: `standby` set to read the standby, and the words for the log and summary. */
export interface BackupSourceChoice {
  readonly standby?: StandbyCluster;
  readonly note: string;
  /** Set when the plan said standby and the run reads the primary instead: the reason. */
  readonly fallback?: string;
}

/**
 * The choice for a run under `from` (undefined: the plan reads the primary) given the standby's
 * verdict. Throws a `JobError` (nothing backed up) when the standby cannot be read from and
 * `whenStandbyUnavailable` is `fail`, or when `required` (the run asked for the standby).
 */
export function chooseBackupSource(
  from: StandbyBackupSource | undefined,
  verdict: StandbyVerdict | undefined,
  required = false,
): BackupSourceChoice {
  if (from === undefined || verdict === undefined) return { note: "read from the primary" };
  if (verdict.usable)
    return {
      standby: from.standby,
      note: `read from the standby at ${standbyAddress(from.standby)} (${(verdict.lagBytes / MIB).toFixed(1)} MiB behind the primary)`,
    };
  if (required || from.whenStandbyUnavailable === "fail")
    throw new JobError(
      `the backup must be read from the standby (${required ? "FROM=standby" : "postgres.backupFrom.whenStandbyUnavailable: fail"}), but ${verdict.reason}: nothing was backed up`,
      required
        ? "make the standby usable (what is named above), or run with FROM=plan or FROM=primary"
        : "make the standby usable (what is named above), then run pg-backup again; to back up from the primary now, run it with FROM=primary (postgres.backupFrom.whenStandbyUnavailable: primary makes that the standing fallback)",
    );
  return {
    note: `read from the primary, not the standby: ${verdict.reason}`,
    fallback: verdict.reason,
  };
}

function sameTimelineAtOrAfter(held: string, wanted: string): boolean {
  return held.slice(0, 8) === wanted.slice(0, 8) && held >= wanted;
}

/**
 * Waits until `source`'s repository holds WAL segment `segment` (24 hex digits): the last one a
 * backup needs to be consistent. While the primary is still writing into that segment, it switches
 * to a new one (after a logical message, so even an idle primary has a record to close), which
 * its archive_command then pushes. Throws a `JobError` once `timeoutMs` has passed.
 */
export async function awaitArchivedSegment(
  config: HostConfig,
  engine: PostgresEngineAdapter,
  source: RepositorySource,
  segment: string,
  timeoutMs: number,
): Promise<void> {
  const held = async () =>
    (await engine.archivedWal(source)).some((s) => sameTimelineAtOrAfter(s.name, segment));
  if (await held()) return;
  const primary = await connectPostgres(config);
  try {
    const { rows } = await primary.query<{ wal: string }>(
      "SELECT pg_walfile_name(pg_current_wal_lsn()) AS wal",
    );
    if (rows[0].wal <= segment) {
      await primary.query(
        "SELECT pg_logical_emit_message(false, 'stellar-insights-backup', 'standby backup')",
      );
      await primary.query("SELECT pg_switch_wal()");
    }
  } finally {
    await primary.end();
  }
  await waitFor(async () => ((await held()) ? true : undefined), {
    timeoutMs,
    intervalMs: 1000,
    onTimeout: () =>
      new JobError(
        `WAL segment ${segment}, which the backup needs to be consistent, was not archived into the ${source.repository} repository within ${Math.round(timeoutMs / 1000)} s`,
        "check archive_command on the primary, pg_stat_archiver (last_failed_wal) and PostgreSQL's log; the backup is listed but cannot be restored until that segment is archived",
      ),
  });
}
