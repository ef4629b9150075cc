/**
 * Watches a PostgreSQL cluster replay WAL after a restore until it is promoted, logging where
 * replay is at least every `intervalMs` (PostgreSQL 15 functions: pg_is_in_recovery,
 * pg_last_wal_replay_lsn, pg_last_xact_replay_timestamp; the latter keeps its value after
 * promotion, "Recovery Control Functions", 9.27.4), and which WAL file the startup process is
 * fetching (its restore_command child, or its own process title), so a recovery that stops or
 * stalls is reported with the file it waited for.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Client } from "pg";
import { UNREADABLE_WAL_FILE } from "../../../infra/catalog/engines";
import type { ServiceControl } from "../../../infra/catalog/hostConfig";
import { JobError } from "../../lib/job/errors";
import type { Logger } from "../../lib/job/log";
import { livePostmasterPid } from "../../lib/postgres/shutdown";
import { isRunning } from "../../lib/job/service";
import { monotonicNow, secondsSince, sleep } from "../../lib/job/time";

/**
 * How often the cluster is asked whether it is promoted, and its startup process looked at;
 * milliseconds. Progress lines stay every `intervalMs`: a promotion seen only at the next line
 * would add up to that interval to every restore's downtime.
 */
const POLL_EVERY_MS = 250;

export interface RecoveryResult {
  /** The timeline the promoted cluster writes on. */
  readonly timeline: number;
  /** The last replayed transaction's commit time; null when recovery replayed none. */
  readonly lastReplayedAt: Date | null;
  readonly lastReplayedLsn: string | null;
  /**
   * The WAL segment holding the last replayed record (`pg_walfile_name` after promotion: its first
   * 8 digits are the new timeline's); null when recovery replayed nothing.
   */
  readonly lastReplayedSegment: string | null;
}

/** What the startup process is doing, from /proc: the file it fetches, or the one it replays. */
export interface StartupActivity {
  /** The file its restore_command is fetching (`f=<name>` of the engine's restore_command). */
  readonly fetching?: string;
  /** The segment named in its process title (`recovering <segment>`, PostgreSQL 15 xlogrecovery.c). */
  readonly replaying?: string;
}

const WAL_FILE = "[0-9A-F]{24}|[0-9A-F]{8}\\.history";

async function cmdline(pid: string): Promise<string> {
  const raw = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  return raw.replace(/\0/g, " ").trim();
}

async function childrenOf(parent: number): Promise<string[]> {
  const pids = (await readdir("/proc").catch(() => [] as string[])).filter((n) => /^\d+$/.test(n));
  const children: string[] = [];
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === parent) children.push(pid);
  }
  return children;
}

/**
 * The startup process of the cluster in `pgData` (a child of the postmaster whose title is
 * `postgres: [cluster_name: ]startup …`) and what it is doing; undefined when none runs.
 */
export async function startupActivity(pgData: string): Promise<StartupActivity | undefined> {
  const postmaster = await livePostmasterPid(pgData);
  if (postmaster === undefined) return undefined;
  for (const pid of await childrenOf(postmaster)) {
    const title = await cmdline(pid);
    if (!/^postgres: (?:.*: )?startup\b/.test(title)) continue;
    const replaying = new RegExp(`recovering (${WAL_FILE})`).exec(title)?.[1];
    let fetching: string | undefined;
    for (const child of await childrenOf(Number(pid))) {
      fetching ??= new RegExp(`\\bf=(${WAL_FILE});`).exec(await cmdline(child))?.[1];
    }
    return { ...(fetching ? { fetching } : {}), ...(replaying ? { replaying } : {}) };
  }
  return undefined;
}

function describeActivity(activity: StartupActivity | undefined): string {
  if (activity?.fetching) return `waiting for WAL file ${activity.fetching} from the repository`;
  if (activity?.replaying) return `last replaying WAL segment ${activity.replaying}`;
  return "";
}

/**
 * Whether a `latest` restore replayed as far as its plan said: the segment holding the last
 * replayed record (`lastReplayedSegment`) is at or past `planned` (the plan's last archived
 * segment). Compares positions only (the 16 digits after the timeline), since promotion renames
 * the segment onto the new timeline. Returns the shortfall's description, or undefined.
 */
export function replayShortfall(
  planned: string,
  lastReplayedSegment: string | null,
): string | undefined {
  if (lastReplayedSegment !== null && lastReplayedSegment.slice(8) >= planned.slice(8))
    return undefined;
  return `recovery replayed up to WAL segment position ${lastReplayedSegment?.slice(8) ?? "none"}, short of the plan's last archived segment ${planned}: PostgreSQL ended recovery early (a segment it asked for was reported missing) and promoted on a shorter history`;
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
  /** The recovering cluster's data directory (its postmaster's PID, its startup process). */
  readonly pgData: string;
  readonly log: Logger;
  readonly timeoutMs: number;
  /**
   * How long recovery may go without progress (a new replay position, a new segment replayed or
   * fetched) before the wait fails naming the file it waits for; milliseconds. It must outlast
   * the restore_command's own bound on one file (`RESTORE_FETCH_BOUNDS`).
   */
  readonly stallMs: number;
  readonly intervalMs?: number;
  readonly failureHint: string;
  /** What to do when recovery stalls: PostgreSQL is left running, still recovering. */
  readonly stallHint: string;
}): Promise<RecoveryResult> {
  const { log } = options;
  const started = monotonicNow();
  const interval = options.intervalMs ?? 5_000;
  let last: Sample | undefined;
  let activity: StartupActivity | undefined;
  let progressKey = "";
  let progressAt = monotonicNow();
  let loggedAt = -Infinity;
  const logDue = () => {
    if (monotonicNow() - loggedAt < interval) return false;
    loggedAt = monotonicNow();
    return true;
  };
  const noteProgress = (key: string) => {
    if (key === progressKey) return;
    progressKey = key;
    progressAt = monotonicNow();
  };
  const watch = async () => {
    const now = await startupActivity(options.pgData);
    // Keep the last file seen: the process is gone once PostgreSQL gave up on it.
    if (now?.fetching || now?.replaying) activity = now;
    noteProgress(`${last?.lsn ?? ""}|${now?.fetching ?? ""}|${now?.replaying ?? ""}`);
  };
  for (;;) {
    const seconds = Math.round(secondsSince(started));
    await watch();
    if (!(await isRunning(options.service))) {
      const gaveUpOn = (
        await readFile(join(options.pgData, UNREADABLE_WAL_FILE), "utf8").catch(() => "")
      ).trim();
      if (gaveUpOn) activity = { fetching: gaveUpOn };
      const waited = describeActivity(activity);
      throw new JobError(
        `PostgreSQL stopped during recovery after ${seconds} s${waited ? `, ${waited}` : ""}${last?.lsn ? `, having replayed up to ${last.lsn}${last.at ? ` (${last.at.toISOString()})` : ""}` : ""}: it does not promote short of its target, so a WAL segment was missing or the repository could not be read`,
        options.failureHint,
      );
    }
    if (monotonicNow() - progressAt > options.stallMs) {
      const waited = describeActivity(activity);
      throw new JobError(
        `recovery made no progress for ${Math.round(options.stallMs / 60_000)} min${waited ? `, ${waited}` : ""}${last?.lsn ? ` (replayed up to ${last.lsn})` : ""}`,
        options.stallHint,
      );
    }
    let client: Client | undefined;
    try {
      client = await options.connect();
    } catch {
      if (logDue())
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
          const { rows } = await client.query<{ timeline: string; replayed: string | null }>(
            "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) AS timeline, pg_walfile_name(pg_last_wal_replay_lsn()) AS replayed",
          );
          return {
            timeline: parseInt(rows[0].timeline, 16),
            lastReplayedAt: last.at,
            lastReplayedLsn: last.lsn,
            lastReplayedSegment: rows[0].replayed,
          };
        }
        if (logDue())
          log.info("recovery progress", {
            seconds,
            replayedLsn: now.lsn,
            replayedUpTo: now.at ? now.at.toISOString() : null,
            ...(activity?.fetching ? { fetching: activity.fetching } : {}),
          });
      } catch (error) {
        if (logDue())
          log.info("recovery progress: the server is not answering queries yet", {
            seconds,
            error: (error as Error).message,
          });
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    if (secondsSince(started) * 1000 > options.timeoutMs) {
      const waited = describeActivity(activity);
      throw new JobError(
        `PostgreSQL was still recovering after ${Math.round(options.timeoutMs / 60_000)} min${waited ? `, ${waited}` : ""}${last?.lsn ? ` (replayed up to ${last.lsn})` : ""}`,
        options.failureHint,
      );
    }
    await sleep(POLL_EVERY_MS);
  }
}
