/**
 * Parses EventBridge Scheduler / DLM schedule expressions (`cron(...)`, `rate(...)`) and works out
 * the longest gap between two runs, so stack config can be checked against each row's RPO before
 * anything reaches AWS.
 *
 * Pure module: no Pulumi import.
 */

import { DateTime } from "luxon";
import { parseCronFields } from "./schedule/cronSyntax";
import { longestCronGap, type LongestGap } from "./schedule/runGaps";
import { isKnownZone } from "./schedule/zoneClock";

export type { LongestGap };

export type ParsedSchedule =
  | {
      readonly ok: true;
      readonly kind: "cron" | "rate";
      /** The longest time between two runs, in seconds (a rate's interval). */
      readonly maxGapSeconds: number;
      /** The shortest time between two runs, in seconds (a rate's interval). */
      readonly minGapSeconds: number;
      /** Where the longest gap of a cron schedule falls, in the schedule's time zone. */
      readonly longestGap?: LongestGap;
    }
  | { readonly ok: false; readonly reason: string };

/** How to read an expression: EventBridge Scheduler's `ScheduleExpressionTimezone`, and from when. */
export interface ScheduleContext {
  /** IANA time zone; default `UTC` (also what DLM reads its cron expressions in). */
  readonly timezone?: string;
  /** Start of the simulated runs; default now. */
  readonly from?: Date;
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

const RATE_UNITS: Readonly<Record<string, number>> = { minute: MINUTE, hour: HOUR, day: DAY };

/**
 * `rate(value unit)`, unit `minute(s)`, `hour(s)` or `day(s)` (EventBridge Scheduler, "Rate-based
 * schedules"). A rate counts real time from the last run, so daylight saving time does not move
 * it: "days represents a 24-hour duration".
 */
function parseRate(body: string): ParsedSchedule {
  const match = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (!match)
    return { ok: false, reason: "rate() takes '<positive integer> <minute(s)|hour(s)|day(s)>'" };
  const value = Number(match[1]);
  const unit = match[2].replace(/s$/, "");
  if (value < 1) return { ok: false, reason: "rate() needs a value of at least 1" };
  const expected = value === 1 ? unit : `${unit}s`;
  if (match[2] !== expected) return { ok: false, reason: `write 'rate(${value} ${expected})'` };
  const seconds = value * RATE_UNITS[unit];
  return { ok: true, kind: "rate", maxGapSeconds: seconds, minGapSeconds: seconds };
}

const memo = new Map<string, ParsedSchedule>();

/**
 * Parses `cron(...)` or `rate(...)` and finds the longest time between two runs as EventBridge
 * Scheduler runs them in `context.timezone` (daylight saving time included: see
 * `schedule/runGaps.ts`). `at(...)` is refused because a backup must recur; so is a cron
 * expression that never fires after `context.from` or whose year field ends (it stops).
 *
 * @returns `{ ok: true, kind, maxGapSeconds, longestGap? }`, or `{ ok: false, reason }` with a
 *   reason that names the field and the rule (cron syntax: `schedule/cronSyntax.ts`)
 */
export function parseScheduleExpression(
  expression: string,
  context: ScheduleContext = {},
): ParsedSchedule {
  const timezone = context.timezone ?? "UTC";
  const from = context.from ?? new Date();
  // Results depend on the local day `from` falls on (the simulation starts at its start).
  const day = isKnownZone(timezone)
    ? (DateTime.fromJSDate(from, { zone: timezone }).toISODate() ?? "")
    : "";
  const key = `${expression}\0${timezone}\0${day}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const parsed = parse(expression, timezone, from);
  memo.set(key, parsed);
  return parsed;
}

function parse(expression: string, timezone: string, from: Date): ParsedSchedule {
  const match = /^(cron|rate|at)\((.*)\)$/.exec(expression.trim());
  if (!match) return { ok: false, reason: "expected cron(...) or rate(...)" };
  const [, kind, body] = match;
  if (kind === "at") return { ok: false, reason: "at() runs once; a backup schedule must recur" };
  if (kind === "rate") return parseRate(body);
  const cron = parseCronFields(body);
  if (!cron.ok) return cron;
  if (!isKnownZone(timezone)) return { ok: false, reason: `unknown time zone '${timezone}'` };
  const gap = longestCronGap(cron.spec, timezone, from);
  if (!gap.ok) return gap;
  return {
    ok: true,
    kind: "cron",
    maxGapSeconds: gap.longest.seconds,
    minGapSeconds: gap.shortestSeconds,
    longestGap: gap.longest,
  };
}

/** "26 hours", "7 days", "15 minutes": for messages a person reads. */
export function describeSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "never";
  if (seconds % DAY === 0) return plural(seconds / DAY, "day");
  if (seconds % HOUR === 0) return plural(seconds / HOUR, "hour");
  if (seconds % MINUTE === 0) return plural(seconds / MINUTE, "minute");
  return plural(seconds, "second");
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/**
 * Where a schedule's longest gap falls, for a message: "47 hours between its runs of
 * 2026-03-28 02:30 +01:00 and 2026-03-30 02:30 +02:00 (Europe/Berlin)". A rate's gap has no date.
 */
export function describeLongestGap(
  parsed: Extract<ParsedSchedule, { ok: true }>,
  timezone: string,
): string {
  const length = describeSeconds(parsed.maxGapSeconds);
  const gap = parsed.longestGap;
  if (gap === undefined) return `${length} between runs`;
  return gap.fromIsRun
    ? `${length} between its runs of ${gap.from} and ${gap.to} (${timezone})`
    : `${length} before its first run, ${gap.to} (${timezone})`;
}
