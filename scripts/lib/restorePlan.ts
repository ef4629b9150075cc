/**
 * What a PostgreSQL restore will do, decided from the repository's listing before anything on the
 * host is touched: the backup it starts from, the WAL it must replay, what that costs, and every
 * reason it cannot reach its target. Pure: listings in, plan or reasons out.
 */
import type { ArchivedSegment, EngineBackup, NewestTimeline, RestoreTarget } from "./engines";
import { gapsBetween, lsnBytes, parseSegment, type WalRange } from "./walSegments";

export interface RestorePlan {
  readonly backup: EngineBackup;
  /** First and last WAL segment recovery needs (the last is a bound for `latest` and `time`). */
  readonly walFirst: string;
  readonly walLast: string;
  readonly walSegments: number;
  /** Bytes written into the data directory plus WAL replayed (`wal_segment_size` a segment). */
  readonly estimatedBytes: number;
  /** Bytes read from the repository: the backup as stored and its WAL as archived. */
  readonly fetchBytes: number;
  /** The earliest time any kept backup can be recovered to: the end of the oldest one. */
  readonly earliestRecoverable: Date;
  /** The newest archived segment and when it was stored: commits after that are not archived. */
  readonly archiveEnd?: ArchivedSegment;
}

export type PlanResult =
  | { readonly ok: true; readonly plan: RestorePlan }
  | { readonly ok: false; readonly problems: readonly string[] };

const timelineOf = (segment: string) => segment.slice(0, 8);

/**
 * Whether recovery along `newest` (PostgreSQL 12+ follows the newest timeline by default) can start
 * from `backup`: the backup is on that timeline, or consistent before the newest timeline's
 * ancestry left the backup's timeline. A backup taken on a branch that a later restore abandoned
 * is not: PostgreSQL would not find its checkpoint on the newest timeline. `segmentBytes`: the
 * cluster's `wal_segment_size`.
 */
export function backupOnHistory(
  backup: EngineBackup,
  newest: NewestTimeline,
  segmentBytes: number,
): boolean {
  const timeline = parseInt(timelineOf(backup.walStart), 16);
  if (timeline === newest.timeline) return true;
  const left = newest.switches.find((s) => s.parent === timeline);
  if (!left) return false;
  if (backup.stopLsn) return lsnBytes(backup.stopLsn) <= lsnBytes(left.lsn);
  // Without the engine's LSN: the backup's last segment must end before the switch's segment.
  return (
    parseSegment(backup.walStop, segmentBytes)!.index < lsnBytes(left.lsn) / BigInt(segmentBytes)
  );
}

/** Contiguous runs per timeline, as `gapsBetween` reads them. */
function rangesOf(segments: readonly ArchivedSegment[], segmentBytes: number): WalRange[] {
  const ranges: WalRange[] = [];
  let current: { start: string; stop: string; timeline: number; index: bigint } | undefined;
  for (const s of segments) {
    const parsed = parseSegment(s.name, segmentBytes);
    if (!parsed) continue;
    if (current && current.timeline === parsed.timeline && parsed.index === current.index + 1n) {
      current = { ...current, stop: s.name, index: parsed.index };
      continue;
    }
    if (current) ranges.push({ start: current.start, stop: current.stop });
    current = { start: s.name, stop: s.name, timeline: parsed.timeline, index: parsed.index };
  }
  if (current) ranges.push({ start: current.start, stop: current.stop });
  return ranges;
}

/**
 * The segments recovery reads from `backup` on: its own timeline from its first segment, then
 * every later timeline (PostgreSQL 12+ follows the latest timeline by default), in replay order.
 */
function replayPath(
  segments: readonly ArchivedSegment[],
  backup: EngineBackup,
  segmentBytes: number,
): ArchivedSegment[] {
  const start = parseSegment(backup.walStart, segmentBytes);
  if (!start) return [];
  return segments
    .filter((s) => {
      const p = parseSegment(s.name, segmentBytes);
      return (
        p !== undefined &&
        (p.timeline > start.timeline || (p.timeline === start.timeline && p.index >= start.index))
      );
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Missing segments on the path up to `last`, each timeline checked from where its segments start. */
function missingOnPath(
  path: readonly ArchivedSegment[],
  backup: EngineBackup,
  last: string,
  segmentBytes: number,
): string[] {
  const ranges = rangesOf(path, segmentBytes);
  const timelines = [...new Set(path.map((s) => timelineOf(s.name)))].filter(
    (t) => t <= timelineOf(last),
  );
  const problems: string[] = [];
  for (const timeline of timelines) {
    const onTimeline = path.filter((s) => timelineOf(s.name) === timeline);
    const from = timeline === timelineOf(backup.walStart) ? backup.walStart : onTimeline[0].name;
    const to = timeline === timelineOf(last) ? last : (onTimeline.at(-1) as ArchivedSegment).name;
    for (const gap of gapsBetween(ranges, from, to, segmentBytes)) {
      problems.push(
        gap.count === 1
          ? `WAL segment ${gap.first} is missing from the repository: recovery cannot replay past it`
          : `WAL segments ${gap.first} to ${gap.last} (${gap.count}) are missing from the repository: recovery cannot replay past ${gap.first}`,
      );
    }
  }
  if (
    !path.some((s) => s.name === backup.walStart) &&
    !problems.some((p) => p.includes(backup.walStart))
  )
    problems.push(
      `WAL segment ${backup.walStart}, the first one backup ${backup.name} needs, is missing from the repository`,
    );
  return problems;
}

/** The refusal of a time target later than `now`, or undefined: checked before any repository is read, and again in the plan. */
export function futureTargetProblem(time: Date, now: Date): string | undefined {
  return time.getTime() > now.getTime()
    ? `the target time ${time.toISOString()} is in the future (now ${now.toISOString()})`
    : undefined;
}

/**
 * Chooses the backup and the WAL range for `target` from `backups` (oldest first) and the
 * repository's `segments`, or says why the target cannot be reached. `backupName` is required for
 * the `backup` target. `where` names the repository in messages ("the s3 repository of host a").
 */
export function planRestore(input: {
  readonly backups: readonly EngineBackup[];
  readonly segments: readonly ArchivedSegment[];
  readonly target: RestoreTarget;
  readonly backupName?: string;
  readonly now: Date;
  readonly where: string;
  /** The timeline `latest` and `time` recover along; a named backup recovers along its own. */
  readonly newest: NewestTimeline;
  /** The cluster's `wal_segment_size` in bytes (`readControlData`): segment names are read with it. */
  readonly walSegmentBytes: number;
}): PlanResult {
  const { backups, segments, target, now, where, newest, walSegmentBytes } = input;
  const allUsable = backups.filter((b) => b.ok);
  const usable =
    target.kind === "backup"
      ? allUsable
      : allUsable.filter((b) => backupOnHistory(b, newest, walSegmentBytes));
  if (allUsable.length > 0 && usable.length === 0)
    return {
      ok: false,
      problems: [
        `no backup in ${where} lies on the history of timeline ${newest.timeline}, the newest (a restore branched it off after them): name one with TARGET=backup (it recovers along its own timeline), or take a new backup and restore from that`,
      ],
    };
  const oldest = usable[0];
  if (!oldest)
    return { ok: false, problems: [`there is no backup in ${where}: nothing to restore from`] };
  const earliestRecoverable = oldest.stoppedAt;
  const archiveEnd = [...segments]
    .sort((a, b) => a.archivedAt.getTime() - b.archivedAt.getTime())
    .at(-1);
  const problems: string[] = [];

  let backup: EngineBackup | undefined;
  switch (target.kind) {
    case "latest":
      backup = usable.at(-1);
      break;
    case "backup":
      backup = usable.find((b) => b.name === input.backupName);
      if (!backup)
        problems.push(
          `backup ${JSON.stringify(input.backupName ?? "")} is not in ${where}; backups there: ${allUsable.map((b) => b.name).join(", ")}`,
        );
      break;
    case "time": {
      const t = target.time;
      const future = futureTargetProblem(t, now);
      if (future) problems.push(future);
      else if (t.getTime() < earliestRecoverable.getTime())
        problems.push(
          `the target time ${t.toISOString()} is before the earliest recoverable time ${earliestRecoverable.toISOString()} (the end of the oldest backup, ${oldest.name})`,
        );
      else if (!archiveEnd || archiveEnd.archivedAt.getTime() < t.getTime())
        problems.push(
          archiveEnd
            ? `the target time ${t.toISOString()} is past the end of archived WAL: the newest segment, ${archiveEnd.name}, was archived at ${archiveEnd.archivedAt.toISOString()}; later commits are not in ${where}`
            : `the target time ${t.toISOString()} is past the end of archived WAL: ${where} holds no WAL`,
        );
      else backup = usable.filter((b) => b.stoppedAt.getTime() <= t.getTime()).at(-1);
      break;
    }
    default: {
      const unreachable: never = target;
      return unreachable;
    }
  }
  if (!backup) return { ok: false, problems };

  const path = replayPath(segments, backup, walSegmentBytes);
  let walLast: string;
  if (target.kind === "backup") walLast = backup.walStop;
  else if (target.kind === "time") {
    // The first segment stored at or after the target holds the target's commit (or a later one).
    const t = target.time.getTime();
    walLast =
      (path.find((s) => s.archivedAt.getTime() >= t) ?? path.at(-1))?.name ?? backup.walStop;
  } else walLast = path.at(-1)?.name ?? backup.walStop;
  if (walLast < backup.walStop) walLast = backup.walStop;
  problems.push(...missingOnPath(path, backup, walLast, walSegmentBytes));
  if (problems.length > 0) return { ok: false, problems };

  const replayed = path.filter((s) => s.name <= walLast);
  return {
    ok: true,
    plan: {
      backup,
      walFirst: backup.walStart,
      walLast,
      walSegments: replayed.length,
      estimatedBytes: backup.databaseBytes + replayed.length * walSegmentBytes,
      fetchBytes: backup.storedBytes + replayed.reduce((sum, s) => sum + s.bytes, 0),
      earliestRecoverable,
      ...(archiveEnd ? { archiveEnd } : {}),
    },
  };
}
