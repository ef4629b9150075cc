/**
 * What a repository's WAL means for restores, engine-neutral: timeline history files as PostgreSQL
 * writes them, and the gaps that make a backup unrestorable or cut point-in-time recovery. Every
 * adapter's `verify` reads its repository into WAL ranges and hands them here.
 */
import {
  gapsBetween,
  lsnBytes,
  parseSegment,
  segmentTimeline,
  type WalSegmentGap,
  type WalRange,
} from "../postgres/walSegments";
import type { EngineBackup, TimelineHistory, TimelineSwitch, VerifyProblem } from "./adapter";

/** `<parent>\t<lsn>\t<reason>` lines of a PostgreSQL timeline history file. */
export function parseTimelineHistory(text: string): { parent: number; lsn: string }[] {
  return text
    .split("\n")
    .map((line) => /^(\d+)\s+([0-9A-F]+\/[0-9A-F]+)/i.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ parent: Number(m[1]), lsn: m[2].toUpperCase() }));
}

/** A history file as a repository lists it: its timeline and when it was stored. */
export interface StoredHistory {
  readonly timeline: number;
  readonly archivedAt: Date;
}

/**
 * Every timeline a repository holds, from its history files and its segments' names, lowest first,
 * each history file read through `readHistory` (the adapter's own fetch). Timeline 1 is always
 * there: it has no history file (PostgreSQL writes one only on a switch).
 */
export async function collectTimelines(
  histories: readonly StoredHistory[],
  segments: readonly string[],
  readHistory: (timeline: number) => Promise<string>,
): Promise<TimelineHistory[]> {
  const firstSegment = new Map<number, string>();
  for (const name of [...segments].sort()) {
    const timeline = segmentTimeline(name);
    if (timeline !== undefined && !firstSegment.has(timeline)) firstSegment.set(timeline, name);
  }
  const numbers = [
    ...new Set([1, ...histories.map((h) => h.timeline), ...firstSegment.keys()]),
  ].sort((a, b) => a - b);
  const result: TimelineHistory[] = [];
  for (const timeline of numbers) {
    const history = histories.find((h) => h.timeline === timeline);
    const first = firstSegment.get(timeline);
    result.push({
      timeline,
      switches: history ? parseTimelineHistory(await readHistory(timeline)) : [],
      hasHistory: timeline === 1 || history !== undefined,
      ...(history ? { historyArchivedAt: history.archivedAt } : {}),
      ...(first ? { firstSegment: first } : {}),
    });
  }
  return result;
}

/** One timeline on a history: where it began (byte LSN; 0 for the first) and where it was left. */
export interface HistoryStep {
  readonly timeline: number;
  readonly begin: bigint;
  /** The LSN where the next timeline on the history began; absent for the history's own timeline. */
  readonly end?: bigint;
}

/**
 * The timelines recovery along `timeline` passes through, oldest first: its history file's
 * parents, then itself. A line `<parent> <lsn>` says the parent was left at `lsn`, where the next
 * timeline began (PostgreSQL docs 26.3.5 "Timelines"; src/backend/access/transam/timeline.c).
 */
export function historySteps(timeline: number, switches: readonly TimelineSwitch[]): HistoryStep[] {
  const steps: HistoryStep[] = [];
  let begin = 0n;
  for (const s of switches) {
    const end = lsnBytes(s.lsn);
    steps.push({ timeline: s.parent, begin, end });
    begin = end;
  }
  steps.push({ timeline, begin });
  return steps;
}

/**
 * The history of `timeline` as the repository's `timelines` record it: its own entry, or an
 * ancestor's, cut from `of`'s history file (an ancestor's lines are the first lines of its
 * descendants' files). Undefined when the repository does not know the timeline.
 */
export function historyOf(
  timeline: number,
  timelines: readonly TimelineHistory[],
  of?: TimelineHistory,
): TimelineHistory | undefined {
  if (of && of.timeline !== timeline) {
    const at = of.switches.findIndex((s) => s.parent === timeline);
    if (at >= 0) return { timeline, switches: of.switches.slice(0, at), hasHistory: true };
  }
  return (
    timelines.find((t) => t.timeline === timeline) ??
    (timeline === 1 ? { timeline: 1, switches: [], hasHistory: true } : undefined)
  );
}

/** The timeline a backup was taken on (of its first WAL segment). */
export function backupTimeline(backup: EngineBackup): number {
  return segmentTimeline(backup.walStart) ?? 1;
}

/**
 * Whether recovery along `history` can start from `backup`: the backup's timeline is on it, and
 * the backup is consistent no later than where the history left that timeline. A backup taken on
 * a branch that a later restore abandoned is not: PostgreSQL would not find its checkpoint there.
 * `segmentBytes`: the cluster's `wal_segment_size`.
 */
export function backupOnHistory(
  backup: EngineBackup,
  history: TimelineHistory,
  segmentBytes: number,
): boolean {
  const timeline = backupTimeline(backup);
  const step = historySteps(history.timeline, history.switches).find(
    (s) => s.timeline === timeline,
  );
  if (!step) return false;
  if (step.end === undefined) return true;
  if (backup.stopLsn) return lsnBytes(backup.stopLsn) <= step.end;
  // Without the engine's LSN: the backup's last segment must end before the switch's segment.
  return parseSegment(backup.walStop, segmentBytes)!.index < step.end / BigInt(segmentBytes);
}

/**
 * The timeline production follows, and why: the current cluster's (`clusterTimeline`, read from
 * PostgreSQL) when it can be read. Otherwise the newest of the repository's `timelines` whose
 * history passes through the newest good backup: every backup in a repository is this cluster's
 * (the engines refuse another system identifier), so production was on that backup's history when
 * it took it, and a timeline that left it before the backup (a promoted copy, forked earlier) is
 * not production's. A timeline branched after the newest backup is followed: without the
 * cluster, a restore of production then cannot be told from a copy, and pg-verify and the health
 * check (which read the cluster) report a copy's. Timeline 1 for a repository with no backup.
 */
export function productionTimeline(
  clusterTimeline: number | undefined,
  backups: readonly EngineBackup[],
  timelines: readonly TimelineHistory[],
  segmentBytes: number,
): { readonly timeline: number; readonly from: string } {
  if (clusterTimeline !== undefined)
    return { timeline: clusterTimeline, from: "the running cluster's current timeline" };
  const newest = backups.filter((b) => b.ok).at(-1);
  if (!newest) return { timeline: 1, from: "timeline 1 (no backup, PostgreSQL could not be read)" };
  const through = timelines
    .filter((t) => t.hasHistory && backupOnHistory(newest, t, segmentBytes))
    .at(-1);
  return {
    timeline: through?.timeline ?? backupTimeline(newest),
    from: `the newest timeline through the newest backup, ${newest.name} (PostgreSQL could not be read)`,
  };
}

/**
 * Timelines in the repository that the cluster on `production` never had: every one above it.
 * PostgreSQL gives a promoted cluster a timeline above every one in its archive (`findNewestTimeLine`
 * in src/backend/access/transam/timeline.c), and a cluster's timeline only grows, so a timeline
 * above the current one was made elsewhere: a copy of this cluster, restored with these archive
 * settings and promoted. Timelines below it and off its history are branches an earlier restore of
 * this cluster abandoned.
 */
export function strayTimelines(
  production: number,
  timelines: readonly TimelineHistory[],
): TimelineHistory[] {
  return timelines.filter((t) => t.timeline > production);
}

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, "0");

/** The finding for a stray timeline: the timeline, its first segment (or its history file), what to do. */
export function strayTimelineProblem(
  stray: TimelineHistory,
  production: { readonly timeline: number; readonly from: string },
): VerifyProblem {
  const subject = stray.firstSegment ?? `${hex8(stray.timeline)}.history`;
  const first = stray.firstSegment
    ? `its first WAL segment ${stray.firstSegment}`
    : `only its history file ${hex8(stray.timeline)}.history`;
  return {
    subject,
    message: `timeline ${stray.timeline} (${first}) is not on this cluster's history: production is on timeline ${production.timeline} (${production.from}), and a cluster never had a timeline above its current one; a copy of this cluster restored with these archive settings was promoted and archived into this repository. Restores ignore it; find that copy, turn its archiving off, then move its WAL aside`,
  };
}

/** The newest archived segment on `segment`'s timeline. */
export function newestOnTimeline(
  ranges: readonly WalRange[],
  segment: string | undefined,
): string | undefined {
  if (!segment) return undefined;
  const timeline = segment.slice(0, 8);
  return ranges
    .map((r) => r.stop)
    .filter((s) => s.startsWith(timeline))
    .sort()
    .at(-1);
}

function describeGap(gap: WalSegmentGap): string {
  return gap.count === 1
    ? `WAL segment ${gap.first} is`
    : `WAL segments ${gap.first} to ${gap.last} (${gap.count}) are`;
}

/**
 * What the WAL ranges mean for restores: a backup whose own segments are missing cannot be
 * restored at all; a gap after the oldest backup cuts point-in-time recovery there.
 * `segmentBytes`: the cluster's `wal_segment_size`.
 */
export function walProblems(
  backups: readonly EngineBackup[],
  ranges: readonly WalRange[],
  segmentBytes: number,
): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  for (const b of backups) {
    for (const gap of gapsBetween(ranges, b.walStart, b.walStop, segmentBytes)) {
      problems.push({
        subject: gap.first,
        message: `${describeGap(gap)} missing: backup ${b.name} cannot be made consistent and cannot be restored`,
      });
    }
  }
  const oldest = backups[0];
  const newest = newestOnTimeline(ranges, oldest?.walStart);
  if (oldest && newest) {
    for (const gap of gapsBetween(ranges, oldest.walStart, newest, segmentBytes)) {
      if (problems.some((p) => p.subject === gap.first)) continue;
      problems.push({
        subject: gap.first,
        message: `${describeGap(gap)} missing: point-in-time recovery cannot replay past ${gap.first}`,
      });
    }
  }
  return problems;
}
