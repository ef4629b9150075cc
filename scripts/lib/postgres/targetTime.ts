/**
 * Recovery target times as an on-call engineer types or pastes them: the grammar in
 * infra/catalog/targetTime.ts (ISO 8601, or PostgreSQL's own timestamptz output), always with an
 * explicit offset. A time without an offset is refused: the host's time zone would silently
 * decide what it means.
 */
import { NO_OFFSET_SYNTAX, TARGET_TIME_SYNTAX } from "../../../infra/catalog/targetTime";
import { showValue } from "../../../infra/catalog/schema/shownValue";

const TARGET_TIME = new RegExp(`^${TARGET_TIME_SYNTAX}$`);
const NO_OFFSET = new RegExp(`^${NO_OFFSET_SYNTAX}$`);

export const TARGET_TIME_ALLOWED =
  "a time with seconds and an explicit UTC offset, e.g. 2024-01-15T14:30:00Z, 2024-01-15T16:30:00+02:00 or PostgreSQL's own 2024-01-15 14:30:00.123456+00 (up to 6 fractional digits)";

/** A target time read from text. */
export interface TargetTime {
  /** The instant to whole milliseconds (truncated): what plans and messages compare and show. */
  readonly time: Date;
  /**
   * The same instant as PostgreSQL reads it, in UTC with every fractional digit typed
   * (`2024-01-15 14:30:00.848487+00`): what the engine writes as `recovery_target_time`, whose
   * precision is the microsecond. Rounding it to `time`'s milliseconds would move the target and
   * leave out, or take in, the commits in between.
   */
  readonly recoveryTargetTime: string;
}

/** The instant `text` names, or the reason it names none. */
export function parseTargetTime(text: string): TargetTime | { problem: string } {
  const m = TARGET_TIME.exec(text);
  if (!m) {
    const why = NO_OFFSET.test(text)
      ? "has no UTC offset (add Z for UTC, or e.g. +02:00)"
      : "is not a time";
    return {
      problem: `TARGET_TIME=${showValue(text)} ${why}: expected ${TARGET_TIME_ALLOWED}`,
    };
  }
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const micros = (m[8] ?? "").padEnd(6, "0");
  const offset = m[9];
  const offsetMinutes =
    offset === "Z"
      ? 0
      : (offset.startsWith("-") ? -1 : 1) *
        (Number(offset.slice(1, 3)) * 60 + Number((m[10] ?? "00").replace(":", "")));
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s, Number(micros.slice(0, 3))));
  const valid =
    local.getUTCFullYear() === y &&
    local.getUTCMonth() === mo - 1 &&
    local.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60 &&
    Number((m[10] ?? "00").replace(":", "")) < 60 &&
    Math.abs(offsetMinutes) <= 14 * 60;
  if (!valid)
    return {
      problem: `TARGET_TIME=${showValue(text)} is not a real time: expected ${TARGET_TIME_ALLOWED}`,
    };
  const time = new Date(local.getTime() - offsetMinutes * 60_000);
  const utc = time.toISOString();
  return {
    time,
    recoveryTargetTime: `${utc.slice(0, 10)} ${utc.slice(11, 19)}.${utc.slice(20, 23)}${micros.slice(3)}+00`,
  };
}

/**
 * `recovery_target_time` for a target: its typed text when it has one, else the instant to the
 * millisecond (`2024-01-15 14:30:00.123+00`), a form PostgreSQL and the engines read exactly.
 */
export function recoveryTargetTime(target: {
  readonly time: Date;
  readonly recoveryTargetTime?: string;
}): string {
  if (target.recoveryTargetTime !== undefined) return target.recoveryTargetTime;
  return `${target.time.toISOString().replace("T", " ").replace("Z", "")}+00`;
}
