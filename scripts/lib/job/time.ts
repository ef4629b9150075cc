/**
 * UTC time formats used in S3 keys and file names (sortable, no separators a shell minds), and the
 * monotonic clock that every deadline and duration is measured with.
 */

/** `20240115T020000Z` */
export function utcStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}

export const UTC_STAMP_PATTERN = /\d{8}T\d{6}Z/;

/** Parses `utcStamp` output back; undefined when the text holds none. */
export function parseUtcStamp(text: string): Date | undefined {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/** `2024-01-15` */
export function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function secondsBetween(earlier: Date, later: Date): number {
  return Math.max(0, Math.round((later.getTime() - earlier.getTime()) / 1000));
}

/** Seconds since `startedMs`, a `performance.now()` reading (monotonic: immune to clock steps). */
export function secondsSince(startedMs: number): number {
  return (monotonicNow() - startedMs) / 1000;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A monotonic reading in milliseconds (`performance.now()`): what every deadline and duration is
 * measured with, because the wall clock (`Date.now()`) can be stepped backward or forward (NTP,
 * an operator, a VM resumed) and would then stretch a deadline without bound or end it at once.
 */
export type MonotonicClock = () => number;

export const monotonicNow: MonotonicClock = () => performance.now();

/**
 * A deadline `timeoutMs` from now on a monotonic clock. `leftMs()` is never negative; `passed()`
 * says whether it has been reached.
 */
export function deadlineIn(
  timeoutMs: number,
  now: MonotonicClock = monotonicNow,
): { leftMs(): number; passed(): boolean } {
  const at = now() + timeoutMs;
  return { leftMs: () => Math.max(0, at - now()), passed: () => now() >= at };
}

/**
 * Polls `check` until it returns a value (not undefined) or `timeoutMs` (monotonic, see
 * `deadlineIn`) is up, then throws `onTimeout()`. `check` runs at least once.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  options: {
    readonly timeoutMs: number;
    readonly intervalMs?: number;
    readonly onTimeout: () => Error;
    readonly now?: MonotonicClock;
  },
): Promise<T> {
  const deadline = deadlineIn(options.timeoutMs, options.now);
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (deadline.passed()) throw options.onTimeout();
    await sleep(Math.min(options.intervalMs ?? 200, Math.max(1, deadline.leftMs())));
  }
}
