/**
 * WAL segment file names: 24 hex digits, timeline (8) + log (8) + segment within the log (8)
 * (PostgreSQL `XLogFileName`, src/include/access/xlog_internal.h). A log holds 0x100000000 /
 * `wal_segment_size` segments: 256 with the default 16 MiB, 4096 with 1 MiB, 4 with 1 GiB. Every
 * function here takes the cluster's segment size in bytes (`readControlData`): the same name is
 * another position under another size.
 */
/** PostgreSQL's default `wal_segment_size` (initdb without `--wal-segsize`): for clusters the bench creates itself. */
export const DEFAULT_WAL_SEGMENT_BYTES = 16 * 1024 * 1024;
const SEGMENT_NAME = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/;

export interface WalSegment {
  readonly timeline: number;
  /** Position on the timeline: log × segments-per-log + segment. */
  readonly index: bigint;
}

function segmentsPerLog(segmentBytes: number): bigint {
  return 0x100000000n / BigInt(segmentBytes);
}

/**
 * The timeline of segment file `name` (its first 8 hex digits), which does not depend on the
 * segment size; undefined for anything that is not a segment name.
 */
export function segmentTimeline(name: string): number | undefined {
  return SEGMENT_NAME.test(name) ? parseInt(name.slice(0, 8), 16) : undefined;
}

/** Parses `000000010000000000000002`; undefined for anything else (history files, partials). */
export function parseSegment(name: string, segmentBytes: number): WalSegment | undefined {
  const m = SEGMENT_NAME.exec(name);
  if (!m) return undefined;
  return {
    timeline: parseInt(m[1], 16),
    index: BigInt(`0x${m[2]}`) * segmentsPerLog(segmentBytes) + BigInt(`0x${m[3]}`),
  };
}

export function segmentName(segment: WalSegment, segmentBytes: number): string {
  const perLog = segmentsPerLog(segmentBytes);
  const hex = (n: bigint | number) => n.toString(16).toUpperCase().padStart(8, "0");
  return `${hex(segment.timeline)}${hex(segment.index / perLog)}${hex(segment.index % perLog)}`;
}

/**
 * The segment holding the byte before `lsn` (`0/3000028` or a byte count) on `timeline` (8 hex
 * digits): where a record that ends at `lsn` lies.
 */
export function segmentBefore(
  timeline: string,
  lsn: string | bigint,
  segmentBytes: number,
): string {
  const bytes = typeof lsn === "bigint" ? lsn : lsnBytes(lsn);
  return segmentName(
    { timeline: parseInt(timeline, 16), index: (bytes - 1n) / BigInt(segmentBytes) },
    segmentBytes,
  );
}

/** `0/3000028` as a number of bytes. */
export function lsnBytes(lsn: string): bigint {
  const [hi, lo] = lsn.split("/");
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/** A contiguous run of segments on one timeline, both ends included. */
export interface WalRange {
  readonly start: string;
  readonly stop: string;
}

/** A run of segments absent between two present ones: `first`..`last`, both missing. */
export interface WalSegmentGap {
  readonly first: string;
  readonly last: string;
  readonly count: number;
}

/**
 * Gaps on `from`'s timeline between `from` and `to` (both included) that no range covers. Ranges
 * on other timelines are ignored: a timeline switch is history, not a gap.
 */
export function gapsBetween(
  ranges: readonly WalRange[],
  from: string,
  to: string,
  segmentBytes: number,
): WalSegmentGap[] {
  const a = parseSegment(from, segmentBytes);
  const b = parseSegment(to, segmentBytes);
  if (!a || !b || a.timeline !== b.timeline || b.index < a.index) return [];
  const covered = ranges
    .map((r) => [parseSegment(r.start, segmentBytes), parseSegment(r.stop, segmentBytes)] as const)
    .filter(([s, e]) => s && e && s.timeline === a.timeline)
    .map(([s, e]) => [s!.index, e!.index] as const)
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const gaps: WalSegmentGap[] = [];
  let next = a.index;
  const gap = (first: bigint, last: bigint) =>
    gaps.push({
      first: segmentName({ timeline: a.timeline, index: first }, segmentBytes),
      last: segmentName({ timeline: a.timeline, index: last }, segmentBytes),
      count: Number(last - first + 1n),
    });
  for (const [start, stop] of covered) {
    if (stop < next) continue;
    if (start > b.index) break;
    if (start > next) gap(next, start - 1n);
    next = stop + 1n;
    if (next > b.index) break;
  }
  if (next <= b.index) gap(next, b.index);
  return gaps;
}

/** Contiguous ranges, per timeline, of the segments named (duplicates and order do not matter). */
export function rangesOf(segments: readonly string[], segmentBytes: number): WalRange[] {
  const parsed = [...new Set(segments)]
    .map((name) => ({ name, at: parseSegment(name, segmentBytes) }))
    .filter((s): s is { name: string; at: WalSegment } => s.at !== undefined)
    .sort(
      (a, b) =>
        a.at.timeline - b.at.timeline ||
        (a.at.index < b.at.index ? -1 : a.at.index > b.at.index ? 1 : 0),
    );
  const ranges: WalRange[] = [];
  let start: (typeof parsed)[number] | undefined;
  let prev: (typeof parsed)[number] | undefined;
  for (const s of parsed) {
    if (start && prev && s.at.timeline === prev.at.timeline && s.at.index === prev.at.index + 1n) {
      prev = s;
      continue;
    }
    if (start && prev) ranges.push({ start: start.name, stop: prev.name });
    start = prev = s;
  }
  if (start && prev) ranges.push({ start: start.name, stop: prev.name });
  return ranges;
}

/**
 * `ranges` with the `unreadable` segments taken out (an object that is empty, truncated or fails
 * its checksum): recovery stops at such a segment as at a missing one, so a range ends before it
 * and the next starts after it. Segments outside every range are ignored.
 */
export function withoutSegments(
  ranges: readonly WalRange[],
  unreadable: readonly string[],
  segmentBytes: number,
): WalRange[] {
  const bad = unreadable
    .map((name) => parseSegment(name, segmentBytes))
    .filter((s): s is WalSegment => s !== undefined);
  const result: WalRange[] = [];
  for (const range of ranges) {
    const start = parseSegment(range.start, segmentBytes);
    const stop = parseSegment(range.stop, segmentBytes);
    if (!start || !stop) continue;
    const cuts = bad
      .filter(
        (b) => b.timeline === start.timeline && b.index >= start.index && b.index <= stop.index,
      )
      .map((b) => b.index)
      .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    let from = start.index;
    for (const cut of [...cuts, stop.index + 1n]) {
      if (cut > from)
        result.push({
          start: segmentName({ timeline: start.timeline, index: from }, segmentBytes),
          stop: segmentName({ timeline: start.timeline, index: cut - 1n }, segmentBytes),
        });
      from = cut + 1n;
    }
  }
  return result;
}
