/**
 * What a repository's WAL means for restores, engine-neutral: timeline history files as PostgreSQL
 * writes them, and the gaps that make a backup unrestorable or cut point-in-time recovery. Every
 * adapter's `verify` reads its repository into WAL ranges and hands them here.
 */
import { gapsBetween, type WalGap, type WalRange } from "../walSegments";
import type { EngineBackup, VerifyProblem } from "./adapter";

/** `<parent>\t<lsn>\t<reason>` lines of a PostgreSQL timeline history file. */
export function parseTimelineHistory(text: string): { parent: number; lsn: string }[] {
  return text
    .split("\n")
    .map((line) => /^(\d+)\s+([0-9A-F]+\/[0-9A-F]+)/i.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ parent: Number(m[1]), lsn: m[2].toUpperCase() }));
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

function describeGap(gap: WalGap): string {
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
