/**
 * Which acknowledged writes a restore must bring back, and whether it did, by content (key and
 * value), never by counts alone. Pure functions over the writers' records (steadyWriter.ts).
 *
 * Commit times are not known to the client, only bracketed: a write committed after `sentAt` and
 * before its acknowledgement, which arrived in the millisecond `ackedAt` (Date.now() truncates, so
 * the commit precedes `ackedAt + 1`). A point-in-time restore to T (PostgreSQL's
 * `recovery_target_time`, inclusive: commits at or before T are replayed, the first one after T is
 * not; https://www.postgresql.org/docs/15/runtime-config-wal.html#RUNTIME-CONFIG-WAL-RECOVERY-TARGET)
 * must therefore hold every write with `ackedAt + 1 <= T` and none with `sentAt > T`; a write in
 * flight at T may go either way and is counted apart.
 */
import type { AckedWrite } from "./steadyWriter";

/** A write as the restored store holds it. */
export interface RestoredWrite {
  readonly key: string;
  readonly value: string;
}

export interface TargetSplit {
  /** Committed at or before the target: must be back. */
  readonly expected: readonly AckedWrite[];
  /** Sent after the target: must not be back. */
  readonly forbidden: readonly AckedWrite[];
  /** In flight at the target (at most one for a sequential writer): either way is right. */
  readonly undecided: readonly AckedWrite[];
}

/** Splits acknowledged writes at a recovery target time `targetMs` (ms since the epoch). */
export function splitAtTarget(acked: readonly AckedWrite[], targetMs: number): TargetSplit {
  return {
    expected: acked.filter((w) => w.ackedAt + 1 <= targetMs),
    forbidden: acked.filter((w) => w.sentAt > targetMs),
    undecided: acked.filter((w) => w.ackedAt + 1 > targetMs && w.sentAt <= targetMs),
  };
}

/**
 * The split of a restore to the newest state the archive holds: the longest run of acknowledged
 * writes, from the first, that came back with their values is expected; everything after it was
 * lost (the RPO) and must not be back either, so a hole in the middle is caught.
 */
export function splitAtNewestRestored(
  acked: readonly AckedWrite[],
  restored: readonly RestoredWrite[],
): TargetSplit {
  const values = new Map(restored.map((r) => [r.key, r.value]));
  let n = 0;
  while (n < acked.length && values.get(acked[n].key) === acked[n].value) n++;
  return { expected: acked.slice(0, n), forbidden: acked.slice(n), undecided: [] };
}

export interface WriteCheck {
  readonly ok: boolean;
  /** Writes that had to be back. */
  readonly expected: number;
  /** Of those, back with the value that was written. */
  readonly restored: number;
  /** Keys that had to be back and are not, or are back with another value (at most 5 each). */
  readonly missing: readonly string[];
  readonly changed: readonly string[];
  /** Keys back that must not be: written after the target, or never acknowledged (at most 5). */
  readonly unexpected: readonly string[];
  /** Writes in flight at the target, not judged. */
  readonly undecided: number;
}

/**
 * Compares what a restore brought back with a split. `inFlightKey`: the key of the write that was
 * sent but never acknowledged when the store died; it may have committed, so it is tolerated.
 */
export function checkWrites(
  split: TargetSplit,
  restored: readonly RestoredWrite[],
  inFlightKey?: string,
): WriteCheck {
  const values = new Map(restored.map((r) => [r.key, r.value]));
  const missing = split.expected.filter((w) => !values.has(w.key)).map((w) => w.key);
  const changed = split.expected
    .filter((w) => values.has(w.key) && values.get(w.key) !== w.value)
    .map((w) => w.key);
  const allowed = new Set([...split.expected, ...split.undecided].map((w) => w.key));
  if (inFlightKey !== undefined) allowed.add(inFlightKey);
  const forbidden = new Set(split.forbidden.map((w) => w.key));
  const unexpected = restored
    .filter((r) => forbidden.has(r.key) || !allowed.has(r.key))
    .map((r) => r.key);
  return {
    ok: missing.length === 0 && changed.length === 0 && unexpected.length === 0,
    expected: split.expected.length,
    restored: split.expected.length - missing.length - changed.length,
    missing: missing.slice(0, 5),
    changed: changed.slice(0, 5),
    unexpected: unexpected.slice(0, 5),
    undecided: split.undecided.length,
  };
}

/** One line for a failed check: what is missing, changed or should not be there. */
export function describeWriteCheck(check: WriteCheck): string {
  const parts = [`${check.restored} of ${check.expected} expected writes back with their values`];
  if (check.missing.length > 0) parts.push(`missing ${check.missing.join(", ")}`);
  if (check.changed.length > 0) parts.push(`changed ${check.changed.join(", ")}`);
  if (check.unexpected.length > 0)
    parts.push(
      `back but written after the target or never acknowledged: ${check.unexpected.join(", ")}`,
    );
  return parts.join("; ");
}

/**
 * Recovery point: seconds from the newest restored write to the newest acknowledged one (0 when
 * nothing acknowledged was lost). `floorMs`: what counts as restored when no write of the load
 * came back (the load's start: everything before it was in the backup).
 */
export function recoveryPointSeconds(
  acked: readonly AckedWrite[],
  split: TargetSplit,
  floorMs: number,
): number {
  const newestAcked = acked.at(-1);
  if (newestAcked === undefined) return 0;
  const newestRestored = split.expected.at(-1)?.ackedAt ?? floorMs;
  return Math.max(0, (newestAcked.ackedAt - newestRestored) / 1000);
}

/**
 * A recovery target inside the restored part of a load, for the point-in-time pass: the middle of
 * the quiet gap after the middle restored write (between its acknowledgement and the next write's
 * send), so that no write is in flight at the target. Undefined when fewer than two writes came
 * back or the gap is under 2 ms (the target must fall strictly between two whole milliseconds).
 */
export function targetInsideLoad(
  acked: readonly AckedWrite[],
  newestRestored: number,
): number | undefined {
  if (newestRestored < 2) return undefined;
  const k = Math.floor((newestRestored - 1) / 2);
  const before = acked[k];
  const after = acked[k + 1];
  if (after === undefined || after.sentAt - (before.ackedAt + 1) < 1) return undefined;
  return Math.floor((before.ackedAt + 1 + after.sentAt) / 2);
}
