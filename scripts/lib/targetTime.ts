/**
 * Recovery target times as an on-call engineer types them: ISO 8601 with seconds and an explicit
 * offset, `2024-01-15T14:30:00Z` or `2024-01-15T16:30:00+02:00`, optionally with milliseconds. A
 * time without an offset is refused: the host's time zone would silently decide what it means.
 */

const TARGET_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|([+-])(\d{2}):(\d{2}))$/;
const NO_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

export const TARGET_TIME_ALLOWED =
  "a time with seconds and an explicit UTC offset, e.g. 2024-01-15T14:30:00Z or 2024-01-15T16:30:00+02:00 (milliseconds allowed)";

/** The instant `text` names, or the reason it names none. */
export function parseTargetTime(text: string): { time: Date } | { problem: string } {
  const m = TARGET_TIME.exec(text);
  if (!m) {
    const why = NO_OFFSET.test(text)
      ? "has no UTC offset (add Z for UTC, or e.g. +02:00)"
      : "is not a time";
    return {
      problem: `TARGET_TIME=${JSON.stringify(text)} ${why}: expected ${TARGET_TIME_ALLOWED}`,
    };
  }
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const ms = Number((m[7] ?? "0").padEnd(3, "0"));
  const offsetMinutes =
    m[8] === "Z" ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  const valid =
    local.getUTCFullYear() === y &&
    local.getUTCMonth() === mo - 1 &&
    local.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60 &&
    Math.abs(offsetMinutes) <= 14 * 60;
  if (!valid)
    return {
      problem: `TARGET_TIME=${JSON.stringify(text)} is not a real time: expected ${TARGET_TIME_ALLOWED}`,
    };
  return { time: new Date(local.getTime() - offsetMinutes * 60_000) };
}
