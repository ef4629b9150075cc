/**
 * Watches a PostgreSQL cluster replay WAL after a restore until it is promoted, logging where
 * replay is at least every `intervalMs` (PostgreSQL 15 functions: pg_is_in_recovery,
 * pg_last_wal_replay_lsn, pg_last_xact_replay_timestamp; the latter keeps its value after
 * promotion, "Recovery Control Functions", 9.27.4).
 */
import type { Client } from "pg";
import type { ServiceControl } from "../../infra/catalog/hostConfig";
import { JobError } from "./errors";
import type { Logger } from "./log";
import { isRunning } from "./service";
import { monotonicNow, secondsSince, sleep } from "./time";

export interface RecoveryResult {
  /** The timeline the promoted cluster writes on. */
  readonly timeline: number;
  /** The last replayed transaction's commit time; null when recovery replayed none. */
  readonly lastReplayedAt: Date | null;
  readonly lastReplayedLsn: string | null;
}

interface Sample {
  readonly recovering: boolean;
  readonly lsn: string | null;
  readonly at: Date | null;
}

async function sample(client: Client): Promise<Sample> {
  const { rows } = await client.query<{ recovering: boolean; lsn: string | null; at: Date | null }>(
    "SELECT pg_is_in_recovery() AS recovering, pg_last_wal_replay_lsn()::text AS lsn, pg_last_xact_replay_timestamp() AS at",
  );
  return rows[0];
}

/**
 * Resolves once the cluster answers as a primary. Throws a `JobError` when the service stops
 * before that (PostgreSQL 13+ shuts down rather than promote short of a recovery target; a
 * restore_command that cannot read the archive aborts recovery) or after `timeoutMs`.
 * `connect` opens a connection or throws while the cluster does not accept one yet.
 */
export async function waitForPromotion(options: {
  readonly connect: () => Promise<Client>;
  readonly service: ServiceControl;
  readonly log: Logger;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly failureHint: string;
}): Promise<RecoveryResult> {
  const { log } = options;
  const started = monotonicNow();
  const interval = options.intervalMs ?? 5_000;
  let last: Sample | undefined;
  for (;;) {
    const seconds = Math.round(secondsSince(started));
    if (!(await isRunning(options.service)))
      throw new JobError(
        `PostgreSQL stopped during recovery after ${seconds} s${last?.lsn ? `, having replayed up to ${last.lsn}${last.at ? ` (${last.at.toISOString()})` : ""}` : ""}: it does not promote short of its target, so a WAL segment was missing or the repository could not be read`,
        options.failureHint,
      );
    let client: Client | undefined;
    try {
      client = await options.connect();
    } catch {
      log.info(
        "recovery progress: not accepting connections yet (replaying to a consistent state)",
        { seconds },
      );
    }
    if (client) {
      try {
        const now = await sample(client);
        last = now.lsn ? now : (last ?? now);
        if (!now.recovering) {
          const { rows } = await client.query<{ timeline: string }>(
            "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) AS timeline",
          );
          return {
            timeline: parseInt(rows[0].timeline, 16),
            lastReplayedAt: last.at,
            lastReplayedLsn: last.lsn,
          };
        }
        log.info("recovery progress", {
          seconds,
          replayedLsn: now.lsn,
          replayedUpTo: now.at ? now.at.toISOString() : null,
        });
      } catch (error) {
        log.info("recovery progress: the server is not answering queries yet", {
          seconds,
          error: (error as Error).message,
        });
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    if (secondsSince(started) * 1000 > options.timeoutMs)
      throw new JobError(
        `PostgreSQL was still recovering after ${Math.round(options.timeoutMs / 60_000)} min${last?.lsn ? ` (replayed up to ${last.lsn})` : ""}`,
        options.failureHint,
      );
    await sleep(interval);
  }
}
