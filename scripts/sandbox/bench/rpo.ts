/**
 * RPO under a steady write load, from what the repository holds: at each sample instant, the WAL
 * the repository holds contiguously from the run's first segment bounds which acknowledged writes
 * would survive if the primary vanished then; the rest are lost. Pure.
 *
 * LSNs are PostgreSQL's `X/Y` text (pg_lsn); a commit acknowledged at LSN `end` (the WAL write
 * position right after COMMIT returned) is safe once every byte before `end` is archived, i.e.
 * once the segment holding byte `end - 1` is (PostgreSQL "WAL Internals": a segment file holds
 * `wal_segment_size` bytes of the WAL stream; the archive holds whole segments only).
 */
import { DEFAULT_WAL_SEGMENT_BYTES, parseSegment } from "../../lib/postgres/walSegments";

/** `16/B374D848` → byte position. Throws on anything else. */
export function parseLsn(text: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not a PostgreSQL LSN (X/Y, hexadecimal)`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** Index (position on the timeline) of the segment holding the byte just before `lsn`. */
export function segmentIndexBefore(lsn: bigint, segmentBytes = DEFAULT_WAL_SEGMENT_BYTES): bigint {
  if (lsn <= 0n) throw new Error(`LSN ${lsn} has no byte before it`);
  return (lsn - 1n) / BigInt(segmentBytes);
}

/**
 * The WAL byte position up to which the repository holds every segment of `timeline` from
 * `firstIndex` on (exclusive end); `firstIndex × segment size` when it holds none of them yet.
 * `names`: segment file names as the repository lists them (anything else is ignored).
 */
export function archivedEnd(
  names: Iterable<string>,
  timeline: number,
  firstIndex: bigint,
  segmentBytes = DEFAULT_WAL_SEGMENT_BYTES,
): bigint {
  const held = new Set<bigint>();
  for (const name of names) {
    const segment = parseSegment(name, segmentBytes);
    if (segment && segment.timeline === timeline) held.add(segment.index);
  }
  let next = firstIndex;
  while (held.has(next)) next++;
  return next * BigInt(segmentBytes);
}

/** One write the load got an acknowledgement for. */
export interface AckedWrite {
  /** When COMMIT returned to the client (epoch ms). */
  readonly ackedAtMs: number;
  /** WAL write position read right after the acknowledgement. */
  readonly lsn: bigint;
}

/** What the repository held at one instant. */
export interface RepositorySample {
  /** When the listing came back (epoch ms): everything in it was stored by then. */
  readonly atMs: number;
  /** `archivedEnd` of that listing. */
  readonly archivedEnd: bigint;
}

/**
 * Seconds of acknowledged writes that would be lost if the primary vanished at `sample.atMs`:
 * from the oldest write acknowledged by then that the repository does not hold, to that instant;
 * 0 when it holds every one. `writes` in acknowledgement order.
 */
export function rpoSecondsAt(sample: RepositorySample, writes: readonly AckedWrite[]): number {
  const lost = writes.find((w) => w.ackedAtMs <= sample.atMs && w.lsn > sample.archivedEnd);
  return lost ? (sample.atMs - lost.ackedAtMs) / 1000 : 0;
}

/** `rpoSecondsAt` for every sample taken after the first acknowledged write. */
export function rpoSeries(
  samples: readonly RepositorySample[],
  writes: readonly AckedWrite[],
): number[] {
  if (writes.length === 0) throw new Error("the write load got no acknowledged write");
  const first = writes[0].ackedAtMs;
  return samples.filter((s) => s.atMs >= first).map((s) => rpoSecondsAt(s, writes));
}
