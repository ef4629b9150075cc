/**
 * What a PostgreSQL restore will do, decided from the repository's listing before anything on the
 * host is touched: the backup it starts from, the WAL it must replay, what that costs, and every
 * reason it cannot reach its target. Pure: listings in, plan or reasons out.
 */
import { backupChain } from "../../lib/postgres/backupChains";
import { damagedBackupMessage, damagedNewerThan } from "../../lib/postgres/damagedBackups";
import type {
  ArchivedSegment,
  EngineBackup,
  RestoreTarget,
  TimelineHistory,
} from "../../lib/engines";
import {
  backupOnHistory,
  backupTimeline,
  historyOf,
  historySteps,
  productionTimeline,
  type HistoryStep,
} from "../../lib/engines/walHistory";
import { parseSegment, segmentName } from "../../lib/postgres/walSegments";

export interface RestorePlan {
  readonly backup: EngineBackup;
  /** Every backup the restore reads, oldest first: `backup` alone for a full, else its full first. */
  readonly chain: readonly EngineBackup[];
  /**
   * The timeline recovery follows (`recovery_target_timeline`), and the timelines it passes
   * through from the backup's, oldest first.
   */
  readonly timeline: number;
  readonly history: readonly number[];
  /** Why this timeline: the production timeline's source, or the named backup's own. */
  readonly timelineReason: string;
  /** Timelines the repository holds that this restore does not follow. */
  readonly notFollowed: readonly TimelineHistory[];
  /** First and last WAL segment recovery needs (the last is a bound for `latest` and `time`). */
  readonly walFirst: string;
  readonly walLast: string;
  readonly walSegments: number;
  /** Bytes written into the data directory plus WAL replayed (`walSegmentBytes` a segment). */
  readonly estimatedBytes: number;
  /** Bytes read from the repository: the backup as stored and its WAL as archived. */
  readonly fetchBytes: number;
  /** The earliest time any kept backup can be recovered to: the end of the oldest one. */
  readonly earliestRecoverable: Date;
  /**
   * The end of the recoverable window: the last segment of the contiguous, readable archive from
   * the newest usable backup on along the followed history (an empty object or a missing segment
   * ends it), and when it was stored: commits after that cannot be recovered from this repository.
   */
  readonly archiveEnd?: ArchivedSegment;
  /** Backups newer than the one chosen that the engine marked damaged: passed over, and said so. */
  readonly damagedSkipped: readonly EngineBackup[];
  /** Why each backup whose chain is broken was passed over (`backupChain`'s words). */
  readonly brokenChains: readonly string[];
}

export type PlanResult =
  | { readonly ok: true; readonly plan: RestorePlan }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * The timeline PostgreSQL reads segment `index` from when recovering along `steps`: the newest one
 * that began in or before that segment (the segment holding a switch is read from the new
 * timeline, XLogFileReadAnyTLI in src/backend/access/transam/xlogrecovery.c).
 */
function timelineAt(steps: readonly HistoryStep[], index: bigint, segmentBytes: number): number {
  let timeline = steps[0].timeline;
  for (const s of steps) if (s.begin / BigInt(segmentBytes) <= index) timeline = s.timeline;
  return timeline;
}

/**
 * The segments recovery reads from `backup` along `steps`, in replay order: from the backup's
 * first segment, each segment on the timeline the history says is current there.
 */
function replayPath(
  segments: readonly ArchivedSegment[],
  backup: EngineBackup,
  steps: readonly HistoryStep[],
  segmentBytes: number,
): ArchivedSegment[] {
  const start = parseSegment(backup.walStart, segmentBytes);
  if (!start) return [];
  return segments
    .map((s) => ({ s, p: parseSegment(s.name, segmentBytes) }))
    .filter(
      (x) =>
        x.p !== undefined &&
        x.p.index >= start.index &&
        x.p.timeline === timelineAt(steps, x.p.index, segmentBytes),
    )
    .sort((a, b) => (a.p!.index < b.p!.index ? -1 : 1))
    .map((x) => x.s);
}

/**
 * The last segment recovery from `backup` can read without a break along `path` (a `replayPath`):
 * from the backup's first segment, each next segment position in turn. Undefined when the first
 * one is not there.
 */
function contiguousEnd(
  path: readonly ArchivedSegment[],
  backup: EngineBackup,
  segmentBytes: number,
): ArchivedSegment | undefined {
  if (path[0]?.name !== backup.walStart) return undefined;
  let end = path[0];
  for (const s of path.slice(1)) {
    const index = (name: string) => parseSegment(name, segmentBytes)!.index;
    if (index(s.name) !== index(end.name) + 1n) break;
    end = s;
  }
  return end;
}

/** Missing segments from the backup's first up to `last` along `steps`, in runs. */
function missingOnPath(
  path: readonly ArchivedSegment[],
  backup: EngineBackup,
  last: bigint,
  steps: readonly HistoryStep[],
  segmentBytes: number,
): string[] {
  const present = new Set(path.map((s) => s.name));
  const start = parseSegment(backup.walStart, segmentBytes)!.index;
  const problems: string[] = [];
  let run: { first: string; last: string; count: number } | undefined;
  const flush = () => {
    if (!run) return;
    problems.push(
      run.first === backup.walStart
        ? `WAL segment ${backup.walStart}, the first one backup ${backup.name} needs, is missing from the repository`
        : run.count === 1
          ? `WAL segment ${run.first} is missing from the repository: recovery cannot replay past it`
          : `WAL segments ${run.first} to ${run.last} (${run.count}) are missing from the repository: recovery cannot replay past ${run.first}`,
    );
    run = undefined;
  };
  for (let index = start; index <= last; index++) {
    const name = segmentName(
      { timeline: timelineAt(steps, index, segmentBytes), index },
      segmentBytes,
    );
    if (present.has(name)) flush();
    else if (run) run = { ...run, last: name, count: run.count + 1 };
    else run = { first: name, last: name, count: 1 };
  }
  flush();
  return problems;
}

/**
 * The timeline of `history` that was current at `time`: each later timeline on it counts from
 * when the repository stored its history file (PostgreSQL archives it at promotion), or else its
 * first segment. Recovering to a time along a later timeline fails when that timeline branched
 * off before the first commit after the time ("recovery ended before configured recovery target
 * was reached"): the commit that ends recovery is only on the older timeline.
 */
function timelineAtTime(
  history: TimelineHistory,
  timelines: readonly TimelineHistory[],
  segments: readonly ArchivedSegment[],
  time: Date,
): TimelineHistory {
  let chosen = historySteps(history.timeline, history.switches)[0].timeline;
  for (const step of historySteps(history.timeline, history.switches).slice(1)) {
    const known = timelines.find((t) => t.timeline === step.timeline);
    const began =
      known?.historyArchivedAt ??
      segments.find((s) => s.name === known?.firstSegment)?.archivedAt ??
      new Date(0);
    if (began.getTime() <= time.getTime()) chosen = step.timeline;
  }
  return historyOf(chosen, timelines, history) ?? history;
}

/** The refusal of a time target later than `now`, or undefined: checked before any repository is read, and again in the plan. */
export function futureTargetProblem(time: Date, now: Date): string | undefined {
  return time.getTime() > now.getTime()
    ? `the target time ${time.toISOString()} is in the future (now ${now.toISOString()})`
    : undefined;
}

/**
 * Chooses the backup, the timeline and the WAL range for `target` from `backups` (oldest first),
 * the repository's `segments` and `timelines`, or says why the target cannot be reached.
 * `backupName` is required for the `backup` target. `where` names the repository in messages
 * ("the s3 repository of host a").
 *
 * Timelines: `latest` follows production's timeline (`productionTimeline`: the running cluster's,
 * `clusterTimeline`, else the newest backup's) and `time` the timeline on production's history
 * that was current at the time; both start from the newest backup on that history. A named backup
 * recovers along its own timeline. The timeline is always set explicitly: PostgreSQL's default
 * (`latest`) would follow any newer timeline in the repository, such as one a promoted copy of
 * the cluster archived there.
 */
export function planRestore(input: {
  readonly backups: readonly EngineBackup[];
  readonly segments: readonly ArchivedSegment[];
  readonly target: RestoreTarget;
  readonly backupName?: string;
  readonly now: Date;
  readonly where: string;
  /** Every timeline the repository holds (the adapter's `timelines`). */
  readonly timelines: readonly TimelineHistory[];
  /** The timeline of the cluster this restore replaces, when it is this repository's and running. */
  readonly clusterTimeline?: number;
  /** The cluster's `wal_segment_size` in bytes (1 MiB to 1 GiB). */
  readonly walSegmentBytes: number;
}): PlanResult {
  const { backups, target, now, where, timelines, walSegmentBytes: segmentBytes } = input;
  // An empty object cannot be replayed: it counts as missing, and is named as empty.
  const empty = input.segments.filter((s) => s.bytes === 0).map((s) => s.name);
  const segments = input.segments.filter((s) => s.bytes > 0);
  const chains = new Map(backups.map((b) => [b, backupChain(b, backups, where)]));
  const brokenChains = backups.flatMap((b) => {
    const c = chains.get(b);
    return b.ok && c && !c.ok ? [c.problem] : [];
  });
  const allUsable = backups.filter((b) => b.ok && chains.get(b)?.ok);
  const production = productionTimeline(input.clusterTimeline, allUsable, timelines, segmentBytes);
  const productionHistory = historyOf(production.timeline, timelines);
  // Without its history file the ancestry is unknown: the refusal is kept with every other reason
  // the target has (checked against all backups), so one run names them all.
  const unknownHistory =
    target.kind !== "backup" && allUsable.length > 0 && !productionHistory?.hasHistory
      ? `timeline ${production.timeline} (${production.from}) has no history file in ${where}: PostgreSQL cannot recover along it without one; check that archiving works (the history file is archived at promotion) or name a backup with TARGET=backup`
      : undefined;
  let followed: TimelineHistory = productionHistory ?? {
    timeline: production.timeline,
    switches: [],
    hasHistory: false,
  };
  if (target.kind === "time") followed = timelineAtTime(followed, timelines, segments, target.time);
  const usable =
    target.kind === "backup" || unknownHistory
      ? allUsable
      : allUsable.filter((b) => backupOnHistory(b, followed, segmentBytes));
  if (allUsable.length > 0 && usable.length === 0)
    return {
      ok: false,
      problems: [
        `no backup in ${where} lies on the history of timeline ${followed.timeline} (production: ${production.from}): a restore branched it off after them; name one with TARGET=backup (it recovers along its own timeline), or take a new backup and restore from that`,
      ],
    };
  const oldest = usable[0];
  if (!oldest)
    return {
      ok: false,
      problems: [
        backups.length === 0
          ? `there is no backup in ${where}: nothing to restore from`
          : `there is no usable backup in ${where}: ${[...backups.filter((b) => !b.ok).map(damagedBackupMessage), ...brokenChains].join("; ")}`,
      ],
    };
  const earliestRecoverable = oldest.stoppedAt;
  const newestUsable = usable.at(-1) as EngineBackup;
  const archiveEnd = contiguousEnd(
    replayPath(
      segments,
      newestUsable,
      historySteps(followed.timeline, followed.switches),
      segmentBytes,
    ),
    newestUsable,
    segmentBytes,
  );
  const problems: string[] = unknownHistory ? [unknownHistory] : [];

  let backup: EngineBackup | undefined;
  switch (target.kind) {
    case "latest":
      backup = usable.at(-1);
      break;
    case "backup": {
      backup = usable.find((b) => b.name === input.backupName);
      const damaged = backups.find((b) => !b.ok && b.name === input.backupName);
      const named = backups.find((b) => b.name === input.backupName);
      const broken = named && chains.get(named);
      if (damaged)
        problems.push(
          `${damagedBackupMessage(damaged)}: it would restore damaged pages; name an older backup or restore TARGET=latest`,
        );
      else if (broken && !broken.ok)
        problems.push(
          `${broken.problem}; name a backup whose chain is whole (backups there: ${allUsable.map((b) => b.name).join(", ") || "none"}) or restore TARGET=latest`,
        );
      else if (!backup)
        problems.push(
          `backup ${JSON.stringify(input.backupName ?? "")} is not in ${where}; backups there: ${allUsable.map((b) => b.name).join(", ")}`,
        );
      break;
    }
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
            ? `the target time ${t.toISOString()} is past the end of the recoverable window: the archive is contiguous and readable up to segment ${archiveEnd.name}, archived at ${archiveEnd.archivedAt.toISOString()}; later commits cannot be recovered from ${where}`
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
  if (!backup || unknownHistory) return { ok: false, problems };

  if (target.kind === "backup") {
    const own = backupTimeline(backup);
    followed = historyOf(own, timelines, productionHistory) ?? {
      timeline: own,
      switches: [],
      hasHistory: own === 1,
    };
    if (!followed.hasHistory)
      return {
        ok: false,
        problems: [
          `timeline ${own}, backup ${backup.name}'s own, has no history file in ${where}: PostgreSQL cannot recover along it without one`,
        ],
      };
  }
  const steps = historySteps(followed.timeline, followed.switches);
  const path = replayPath(segments, backup, steps, segmentBytes);
  const stopIndex = parseSegment(backup.walStop, segmentBytes)!.index;
  let last: ArchivedSegment | undefined;
  if (target.kind === "time") {
    // The first segment stored at or after the target holds the target's commit (or a later one).
    const t = target.time.getTime();
    last = path.find((s) => s.archivedAt.getTime() >= t) ?? path.at(-1);
  } else if (target.kind === "latest") last = path.at(-1);
  const lastIndex = last ? parseSegment(last.name, segmentBytes)!.index : stopIndex;
  const walLastIndex = lastIndex < stopIndex ? stopIndex : lastIndex;
  const walLast = segmentName(
    { timeline: timelineAt(steps, walLastIndex, segmentBytes), index: walLastIndex },
    segmentBytes,
  );
  problems.push(
    ...missingOnPath(path, backup, walLastIndex, steps, segmentBytes).map((p) => {
      const segment = /^WAL segment ([0-9A-F]{24}) is missing/.exec(p)?.[1];
      return segment && empty.includes(segment)
        ? p.replace("is missing from the repository", "is an empty object in the repository")
        : p;
    }),
  );
  if (problems.length > 0) {
    const end = contiguousEnd(path, backup, segmentBytes);
    if (
      end &&
      target.kind !== "backup" &&
      parseSegment(end.name, segmentBytes)!.index < walLastIndex
    )
      problems.push(
        `the archive is contiguous and readable up to segment ${end.name}, archived at ${end.archivedAt.toISOString()}: a time target up to then can be restored`,
      );
    return { ok: false, problems };
  }

  const history = steps
    .map((s) => s.timeline)
    .slice(steps.findIndex((s) => s.timeline === backupTimeline(backup)));
  const replayed = path.filter((s) => parseSegment(s.name, segmentBytes)!.index <= walLastIndex);
  const chosenChain = chains.get(backup);
  const chain = chosenChain?.ok ? chosenChain.chain : [backup];
  return {
    ok: true,
    plan: {
      backup,
      chain,
      timeline: followed.timeline,
      history,
      timelineReason:
        target.kind === "backup"
          ? `the named backup's own timeline`
          : followed.timeline === production.timeline
            ? `production's: ${production.from}`
            : `the one on production's history (${production.from}, timeline ${production.timeline}) that was current at the target time`,
      notFollowed: timelines.filter((t) => !steps.some((s) => s.timeline === t.timeline)),
      walFirst: backup.walStart,
      walLast,
      walSegments: replayed.length,
      estimatedBytes: backup.databaseBytes + replayed.length * segmentBytes,
      fetchBytes:
        chain.reduce((sum, b) => sum + b.storedBytes, 0) +
        replayed.reduce((sum, s) => sum + s.bytes, 0),
      earliestRecoverable,
      ...(archiveEnd ? { archiveEnd } : {}),
      damagedSkipped: damagedNewerThan(backups, backup),
      brokenChains,
    },
  };
}
