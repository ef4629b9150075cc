/**
 * Parses EventBridge Scheduler / DLM schedule expressions (`cron(...)`, `rate(...)`) and works out
 * the longest gap between two runs, so stack config can be checked against each row's RPO before
 * anything reaches AWS.
 *
 * Pure module: no Pulumi import.
 */

export type ParsedSchedule =
  | { readonly ok: true; readonly kind: "cron" | "rate"; readonly maxGapSeconds: number }
  | { readonly ok: false; readonly reason: string };

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 1, max: 7, names: WEEKDAYS },
];

/** A field's allowed values, or "calendar" for L/W/# forms whose days depend on the month. */
type FieldValues = ReadonlySet<number> | "any" | "calendar";

function parseValue(token: string, spec: FieldSpec): number | undefined {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(token)) return undefined;
  const value = Number(token);
  return value >= spec.min && value <= spec.max ? value : undefined;
}

function parseField(text: string, spec: FieldSpec): FieldValues | { readonly error: string } {
  if (text === "*" || text === "?") return "any";
  const isDayField = spec.name === "day-of-month" || spec.name === "day-of-week";
  if (isDayField && /^(L|LW|\d{1,2}W|[1-7]L|[1-7]#[1-5]|L-\d{1,2})$/i.test(text)) return "calendar";
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const match = /^([^/-]+)(?:-([^/]+))?(?:\/(\d+))?$/.exec(part);
    if (!match)
      return { error: `'${part}' is not a value, range or step in the ${spec.name} field` };
    const [, startText, endText, stepText] = match;
    const start = startText === "*" ? spec.min : parseValue(startText, spec);
    const end =
      endText !== undefined
        ? parseValue(endText, spec)
        : startText === "*" || stepText !== undefined
          ? spec.max
          : start;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (start === undefined || end === undefined) {
      return { error: `'${part}' is outside ${spec.min}-${spec.max} in the ${spec.name} field` };
    }
    if (step < 1 || end < start)
      return { error: `'${part}' is an empty range in the ${spec.name} field` };
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return values;
}

function matches(values: FieldValues, value: number): boolean {
  return values === "any" || values === "calendar" || values.has(value);
}

function parseCron(body: string): ParsedSchedule {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) {
    return {
      ok: false,
      reason: `cron() takes 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`,
    };
  }
  const [dom, dow, year] = [parts[2], parts[4], parts[5]];
  if ((dom === "?") === (dow === "?")) {
    return { ok: false, reason: "exactly one of day-of-month and day-of-week must be '?'" };
  }
  if (year !== "*") {
    return { ok: false, reason: `year must be '*' for a recurring schedule, got '${year}'` };
  }
  const fields: FieldValues[] = [];
  for (let i = 0; i < FIELDS.length; i++) {
    const parsed = parseField(parts[i], FIELDS[i]);
    if (typeof parsed === "object" && "error" in parsed) return { ok: false, reason: parsed.error };
    fields.push(parsed);
  }
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = fields;
  if (daysOfMonth === "calendar" || daysOfWeek === "calendar") {
    // L, W and # pick one day a month: the gap is at most about five weeks.
    return { ok: true, kind: "cron", maxGapSeconds: 35 * DAY };
  }
  return {
    ok: true,
    kind: "cron",
    maxGapSeconds: longestGap(minutes, hours, daysOfMonth, months, daysOfWeek),
  };
}

/** Simulates a little over a year of runs (a fixed, deterministic window) and returns the widest gap. */
function longestGap(
  minutes: FieldValues,
  hours: FieldValues,
  daysOfMonth: FieldValues,
  months: FieldValues,
  daysOfWeek: FieldValues,
): number {
  const windowStart = Date.UTC(2026, 0, 1) / 1000;
  const windowDays = 400;
  let previous: number | undefined;
  let widest = 0;
  for (let d = 0; d < windowDays; d++) {
    const day = new Date((windowStart + d * DAY) * 1000);
    if (!matches(months, day.getUTCMonth() + 1)) continue;
    if (!matches(daysOfMonth, day.getUTCDate())) continue;
    if (!matches(daysOfWeek, day.getUTCDay() + 1)) continue;
    for (let h = 0; h < 24; h++) {
      if (!matches(hours, h)) continue;
      for (let m = 0; m < 60; m++) {
        if (!matches(minutes, m)) continue;
        const at = windowStart + d * DAY + h * HOUR + m * MINUTE;
        if (previous !== undefined) widest = Math.max(widest, at - previous);
        previous = at;
      }
    }
  }
  return previous === undefined || widest === 0 ? Number.POSITIVE_INFINITY : widest;
}

const RATE_UNITS: Readonly<Record<string, number>> = { minute: MINUTE, hour: HOUR, day: DAY };

function parseRate(body: string): ParsedSchedule {
  const match = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (!match)
    return { ok: false, reason: "rate() takes '<positive integer> <minute(s)|hour(s)|day(s)>'" };
  const value = Number(match[1]);
  const unit = match[2].replace(/s$/, "");
  if (value < 1) return { ok: false, reason: "rate() needs a value of at least 1" };
  const expected = value === 1 ? unit : `${unit}s`;
  if (match[2] !== expected) return { ok: false, reason: `write 'rate(${value} ${expected})'` };
  return { ok: true, kind: "rate", maxGapSeconds: value * RATE_UNITS[unit] };
}

/** Parses `cron(...)` or `rate(...)`; `at(...)` is refused because a backup must recur. */
export function parseScheduleExpression(expression: string): ParsedSchedule {
  const match = /^(cron|rate|at)\((.*)\)$/.exec(expression.trim());
  if (!match) return { ok: false, reason: "expected cron(...) or rate(...)" };
  const [, kind, body] = match;
  if (kind === "at") return { ok: false, reason: "at() runs once; a backup schedule must recur" };
  return kind === "cron" ? parseCron(body) : parseRate(body);
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
