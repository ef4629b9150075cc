/**
 * WAL archiving health from PostgreSQL itself: pg_stat_archiver for failures, and the `.ready`
 * files in pg_wal/archive_status for the lag. The lag is how long the oldest segment has been
 * waiting to be archived (0 when none waits), so an idle database with nothing to archive is
 * not reported as lagging.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import type { Client } from "pg";
import { writeFileAtomic } from "../files/atomicFile";

export interface ArchiverStatus {
  readonly standby: boolean;
  readonly archiveMode: string;
  readonly failedCount: number;
  readonly lastFailedWal: string | null;
  readonly lastFailedTime: Date | null;
  readonly lastArchivedWal: string | null;
  readonly lastArchivedTime: Date | null;
  readonly statsReset: Date | null;
  readonly readyCount: number;
  /** Seconds the oldest `.ready` segment has waited (0 when none). */
  readonly lagSeconds: number;
  /** Bytes in pg_wal: what an archive that cannot keep up leaves on the database's disk. */
  readonly walBytes: number;
  /** `last_failed_wal` still waits to be archived (its `.ready` file is there). */
  readonly lastFailedWaiting: boolean;
}

export async function archiverStatus(client: Client): Promise<ArchiverStatus> {
  const { rows } = await client.query(`
    SELECT pg_is_in_recovery() AS standby,
           current_setting('archive_mode') AS archive_mode,
           a.failed_count, a.last_failed_wal, a.last_failed_time,
           a.last_archived_wal, a.last_archived_time, a.stats_reset,
           r.ready_count,
           COALESCE(EXTRACT(EPOCH FROM now() - r.oldest_ready), 0)::float8 AS lag_seconds,
           (SELECT COALESCE(sum(size), 0)::float8 FROM pg_ls_waldir()) AS wal_bytes,
           EXISTS (SELECT 1 FROM pg_ls_archive_statusdir()
                    WHERE name = a.last_failed_wal || '.ready') AS last_failed_waiting
      FROM pg_stat_archiver a,
           LATERAL (SELECT count(*)::int AS ready_count, min(modification) AS oldest_ready
                      FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready') r`);
  const r = rows[0];
  return {
    standby: r.standby,
    archiveMode: r.archive_mode,
    failedCount: Number(r.failed_count),
    lastFailedWal: r.last_failed_wal,
    lastFailedTime: r.last_failed_time,
    lastArchivedWal: r.last_archived_wal,
    lastArchivedTime: r.last_archived_time,
    statsReset: r.stats_reset,
    readyCount: r.ready_count,
    lagSeconds: Math.max(0, Math.round(r.lag_seconds)),
    walBytes: Number(r.wal_bytes),
    lastFailedWaiting: r.last_failed_waiting,
  };
}

/**
 * Whether the archiver is stuck on one file: its last attempt failed, no file was archived after
 * that failure, and the failed file still waits. PostgreSQL archives in order and retries the
 * oldest waiting file until it succeeds (PostgreSQL 15 docs, 26.3.1), so nothing after it reaches
 * the archive through PostgreSQL until it goes through: a retry that succeeds clears this at once.
 */
export function archiverStuck(status: ArchiverStatus): boolean {
  if (!status.lastFailedWal || !status.lastFailedTime || !status.lastFailedWaiting) return false;
  return !status.lastArchivedTime || status.lastFailedTime > status.lastArchivedTime;
}

interface FailedCountMemory {
  readonly failedCount: number;
  readonly statsReset: string | null;
}

/**
 * Archive failures since the previous health check. The first check (or one after a statistics
 * reset) counts every failure since the reset: over-reporting once beats hiding real failures.
 */
export async function failuresSinceLastCheck(
  stateDir: string,
  status: ArchiverStatus,
): Promise<number> {
  const path = join(stateDir, "health-check", "archiver.json");
  let previous: FailedCountMemory | undefined;
  try {
    previous = JSON.parse(await fs.readFile(path, "utf8")) as FailedCountMemory;
  } catch {
    previous = undefined;
  }
  const reset = status.statsReset?.toISOString() ?? null;
  const delta =
    previous && previous.statsReset === reset
      ? Math.max(0, status.failedCount - previous.failedCount)
      : status.failedCount;
  await writeFileAtomic(
    path,
    `${JSON.stringify({ failedCount: status.failedCount, statsReset: reset } satisfies FailedCountMemory)}\n`,
  );
  return delta;
}
