/**
 * The six fields of an EventBridge Scheduler `cron(...)` expression, parsed into what a calendar
 * simulation needs: the minutes and hours of a matching day, and which days match.
 *
 * Syntax (AWS, "Cron expressions reference", docs.aws.amazon.com/eventbridge/latest/userguide/
 * eb-cron-expressions.html, which EventBridge Scheduler's "Schedule types" page points to):
 *
 * | Field        | Values            | Wildcards       |
 * |--------------|-------------------|-----------------|
 * | Minutes      | 0-59              | , - * /         |
 * | Hours        | 0-23              | , - * /         |
 * | Day-of-month | 1-31              | , - * ? / L W   |
 * | Month        | 1-12 or JAN-DEC   | , - * /         |
 * | Day-of-week  | 1-7 or SUN-SAT    | , - * ? L #     |
 * | Year         | 1970-2199         | , - * /         |
 *
 * `L` in day-of-month is the month's last day, `nW` the weekday nearest day n (within the month),
 * `LW` the month's last weekday; `L` alone in day-of-week is its last day (SAT), `nL` the month's
 * last day n of the week, `n#k` its k-th. `#` "can define only one expression in the day-of-week
 * field", and the L/W forms likewise stand alone. Exactly one of day-of-month and day-of-week is
 * `?`. Pure module.
 */

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** AWS's year range for cron expressions. */
export const FIRST_CRON_YEAR = 1970;
export const LAST_CRON_YEAR = 2199;

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** The field's documented wildcards besides digits and names. */
  readonly wildcards: string;
}

const MINUTES: FieldSpec = { name: "minutes", min: 0, max: 59, wildcards: ", - * /" };
const HOURS: FieldSpec = { name: "hours", min: 0, max: 23, wildcards: ", - * /" };
const DAY_OF_MONTH: FieldSpec = {
  name: "day-of-month",
  min: 1,
  max: 31,
  wildcards: ", - * ? / L W",
};
const MONTH: FieldSpec = { name: "month", min: 1, max: 12, names: MONTHS, wildcards: ", - * /" };
const DAY_OF_WEEK: FieldSpec = {
  name: "day-of-week",
  min: 1,
  max: 7,
  names: WEEKDAYS,
  wildcards: ", - * ? L #",
};
const YEAR: FieldSpec = {
  name: "year",
  min: FIRST_CRON_YEAR,
  max: LAST_CRON_YEAR,
  wildcards: ", - * /",
};

/** Which days of a month a cron expression runs on (its day-of-month or day-of-week field). */
export type DayRule =
  | { readonly kind: "every" }
  | { readonly kind: "monthDays"; readonly days: ReadonlySet<number> }
  | { readonly kind: "lastDay" }
  | { readonly kind: "nearestWeekday"; readonly day: number }
  | { readonly kind: "lastWeekday" }
  | { readonly kind: "weekDays"; readonly days: ReadonlySet<number> }
  | { readonly kind: "nthWeekDay"; readonly weekDay: number; readonly nth: number }
  | { readonly kind: "lastWeekDay"; readonly weekDay: number };

export interface CronSpec {
  /** Minutes after local midnight at which a matching day runs, ascending. */
  readonly minutesOfDay: readonly number[];
  readonly months: ReadonlySet<number>;
  /** Years it may run in; `undefined`: every year. */
  readonly years?: ReadonlySet<number>;
  /** The year field runs to AWS's last year (`*`, `*\/2`, `2026/2`): it does not end. */
  readonly yearsOpenEnded: boolean;
  readonly day: DayRule;
}

export type CronParse =
  { readonly ok: true; readonly spec: CronSpec } | { readonly ok: false; readonly reason: string };

type FieldResult = { readonly values: ReadonlySet<number> } | { readonly error: string };

function valueOf(token: string, spec: FieldSpec): number | undefined {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(token)) return undefined;
  const value = Number(token);
  return value >= spec.min && value <= spec.max ? value : undefined;
}

/** A list of values, ranges and steps (`0,30`, `8-17`, `*\/15`, `5/10`, `JAN-MAR`). */
function numericField(text: string, spec: FieldSpec, allowStep: boolean): FieldResult {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const match = /^([^/-]+)(?:-([^/]+))?(?:\/(\d+))?$/.exec(part);
    if (!match)
      return { error: `'${part}' is not a value, range or step in the ${spec.name} field` };
    const [, startText, endText, stepText] = match;
    if (stepText !== undefined && !allowStep) {
      return {
        error: `'${part}': the ${spec.name} field takes no '/' (its wildcards: ${spec.wildcards})`,
      };
    }
    const isDayField = spec === DAY_OF_MONTH || spec === DAY_OF_WEEK;
    if (isDayField && /^(\?|L|LW|\d+W|.+L|.*#.*)$/i.test(part)) {
      return {
        error: `'${part}' cannot be combined with other values in the ${spec.name} field (its wildcards: ${spec.wildcards})`,
      };
    }
    const start = startText === "*" ? spec.min : valueOf(startText, spec);
    const end =
      endText !== undefined
        ? valueOf(endText, spec)
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
  return { values };
}

function dayOfMonthRule(text: string): DayRule | { readonly error: string } {
  if (text === "*") return { kind: "every" };
  const upper = text.toUpperCase();
  if (upper === "L") return { kind: "lastDay" };
  if (upper === "LW") return { kind: "lastWeekday" };
  const nearest = /^(\d{1,2})W$/.exec(upper);
  if (nearest) {
    const day = Number(nearest[1]);
    if (day < 1 || day > 31)
      return { error: `'${text}' is outside 1-31 in the day-of-month field` };
    return { kind: "nearestWeekday", day };
  }
  const field = numericField(text, DAY_OF_MONTH, true);
  return "error" in field ? field : { kind: "monthDays", days: field.values };
}

function dayOfWeekRule(text: string): DayRule | { readonly error: string } {
  if (text === "*") return { kind: "every" };
  const upper = text.toUpperCase();
  // `L` alone: the week's last day, Saturday.
  if (upper === "L") return { kind: "weekDays", days: new Set([7]) };
  const last = /^(.+)L$/.exec(upper);
  if (last && !last[1].includes(",")) {
    const weekDay = valueOf(last[1], DAY_OF_WEEK);
    if (weekDay === undefined)
      return { error: `'${text}' is outside 1-7 or SUN-SAT in the day-of-week field` };
    return { kind: "lastWeekDay", weekDay };
  }
  const nth = /^([^#]+)#(\d+)$/.exec(upper);
  if (nth) {
    const weekDay = valueOf(nth[1], DAY_OF_WEEK);
    const n = Number(nth[2]);
    if (weekDay === undefined || n < 1 || n > 5)
      return {
        error: `'${text}' must be <day 1-7 or SUN-SAT>#<1-5> in the day-of-week field (one '#' expression only)`,
      };
    return { kind: "nthWeekDay", weekDay, nth: n };
  }
  const field = numericField(text, DAY_OF_WEEK, false);
  return "error" in field ? field : { kind: "weekDays", days: field.values };
}

/**
 * Parses the six space-separated fields inside `cron(...)`. Errors name the field and the part
 * that is wrong; a rule a field breaks is quoted from AWS's reference above.
 */
export function parseCronFields(body: string): CronParse {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) {
    return {
      ok: false,
      reason: `cron() takes 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`,
    };
  }
  const [minuteText, hourText, domText, monthText, dowText, yearText] = parts;
  if ((domText === "?") === (dowText === "?")) {
    return { ok: false, reason: "exactly one of day-of-month and day-of-week must be '?'" };
  }
  for (const [text, spec] of [
    [minuteText, MINUTES],
    [hourText, HOURS],
    [monthText, MONTH],
    [yearText, YEAR],
  ] as const) {
    if (text.includes("?"))
      return {
        ok: false,
        reason: `'?' is allowed only in day-of-month or day-of-week, not in the ${spec.name} field`,
      };
  }
  const minutes = numericField(minuteText, MINUTES, true);
  if ("error" in minutes) return { ok: false, reason: minutes.error };
  const hours = numericField(hourText, HOURS, true);
  if ("error" in hours) return { ok: false, reason: hours.error };
  const months = numericField(monthText, MONTH, true);
  if ("error" in months) return { ok: false, reason: months.error };
  const years = yearText === "*" ? undefined : numericField(yearText, YEAR, true);
  if (years !== undefined && "error" in years) return { ok: false, reason: years.error };
  const day = domText === "?" ? dayOfWeekRule(dowText) : dayOfMonthRule(domText);
  if ("error" in day) return { ok: false, reason: day.error };

  const minutesOfDay: number[] = [];
  for (const h of [...hours.values].sort((a, b) => a - b))
    for (const m of [...minutes.values].sort((a, b) => a - b)) minutesOfDay.push(h * 60 + m);
  return {
    ok: true,
    spec: {
      minutesOfDay,
      months: months.values,
      years: years?.values,
      yearsOpenEnded: yearText
        .split(",")
        .some(
          (part) => /^(\*|\d+)(\/\d+)?$/.test(part) && (part.startsWith("*") || part.includes("/")),
        ),
      day,
    },
  };
}

/** A calendar date's parts: month 1-12, weekDay 1-7 with SUN = 1 (cron's numbering). */
export interface CalendarDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekDay: number;
  readonly daysInMonth: number;
}

/** Day of the week (1 = SUN) of another `day` of the same month as `c`. */
function weekDayOf(day: number, c: CalendarDay): number {
  return ((((c.weekDay - 1 + day - c.day) % 7) + 7) % 7) + 1;
}

/** The weekday (MON-FRI) nearest to `day`, never leaving the month (Quartz's and AWS's `W`). */
function nearestWeekday(day: number, c: CalendarDay): number {
  const weekDay = weekDayOf(day, c);
  if (weekDay === 7) return day === 1 ? day + 2 : day - 1;
  if (weekDay === 1) return day === c.daysInMonth ? day - 2 : day + 1;
  return day;
}

/** Whether the expression runs on this date (at the minutes of `minutesOfDay`). */
export function runsOn(spec: CronSpec, c: CalendarDay): boolean {
  if (spec.years !== undefined && !spec.years.has(c.year)) return false;
  if (!spec.months.has(c.month)) return false;
  const rule = spec.day;
  switch (rule.kind) {
    case "every":
      return true;
    case "monthDays":
      return rule.days.has(c.day);
    case "lastDay":
      return c.day === c.daysInMonth;
    case "nearestWeekday":
      return rule.day <= c.daysInMonth && c.day === nearestWeekday(rule.day, c);
    case "lastWeekday":
      return c.day === nearestWeekday(c.daysInMonth, c);
    case "weekDays":
      return rule.days.has(c.weekDay);
    case "nthWeekDay":
      return c.weekDay === rule.weekDay && Math.ceil(c.day / 7) === rule.nth;
    case "lastWeekDay":
      return c.weekDay === rule.weekDay && c.day + 7 > c.daysInMonth;
    default: {
      const unreachable: never = rule;
      return unreachable;
    }
  }
}
