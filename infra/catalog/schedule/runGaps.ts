/**
 * The longest time between two runs of a cron schedule, as EventBridge Scheduler runs it in its
 * time zone. Pure module.
 *
 * Scheduler's documented daylight saving time behaviour ("Schedule types on EventBridge
 * Scheduler", docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html, section
 * "Daylight savings time"; AWS re:Post "eventbridge-scheduler-adjust-dst"): when clocks spring
 * forward, a run whose local time does not exist is skipped; when they fall back, a run in the
 * repeated hour happens once, not twice. Here it happens at the first occurrence; the longest gap
 * is the same whichever occurrence Scheduler picks.
 *
 * Every run of the first `SIMULATED_DAYS` days from the start of `from`'s local day is placed on
 * the real clock (every transition of a year, both directions). After that, only the days that
 * match are walked, to the last year AWS accepts (2199), with the UTC offset in force at the end of
 * the simulated window: gaps found only there (leap days, 28-year weekday cycles, year steps) are
 * months or years long, and an hour of daylight saving time changes no verdict about them. The
 * wait from the start of `from`'s day to the first run counts as a gap too: a schedule whose year
 * field starts later leaves that long without a backup.
 */
import { DateTime } from "luxon";
import { LAST_CRON_YEAR, runsOn, type CalendarDay, type CronSpec } from "./cronSyntax";
import { zoneClock, type ZoneClock } from "./zoneClock";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** A year and a month: every transition of a year, whatever day the simulation starts. */
export const SIMULATED_DAYS = 400;

export interface LongestGap {
  readonly seconds: number;
  /** Local time (`yyyy-MM-dd HH:mm ±hh:mm`) of the run before the gap, or of the start of `from`'s day. */
  readonly from: string;
  /** Local time of the run after the gap. */
  readonly to: string;
  /** False when the gap is the wait for the first run. */
  readonly fromIsRun: boolean;
}

export type GapResult =
  | {
      readonly ok: true;
      readonly longest: LongestGap;
      /** The shortest time between two runs, in seconds (a job's cadence at its most frequent). */
      readonly shortestSeconds: number;
    }
  | { readonly ok: false; readonly reason: string };

const clocks = new Map<string, ZoneClock>();

function clockFor(zone: string, firstDay: number): ZoneClock {
  const key = `${zone}\0${firstDay}`;
  let clock = clocks.get(key);
  if (clock === undefined) {
    clock = zoneClock(zone, firstDay * DAY_MS, (firstDay + SIMULATED_DAYS) * DAY_MS);
    clocks.set(key, clock);
  }
  return clock;
}

function localTime(instant: number, zone: string): string {
  return DateTime.fromMillis(instant, { zone }).toFormat("yyyy-MM-dd HH:mm ZZ");
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * @param spec a parsed cron expression (`parseCronFields`)
 * @param zone an IANA time zone luxon knows (`isKnownZone`)
 * @param from when the schedule starts counting; the simulation starts at its local day's start
 * @returns the longest gap with its ends in local time, or why there is none: the expression never
 *   fires after `from`, or its year field ends before 2199 (the schedule stops)
 */
export function longestCronGap(spec: CronSpec, zone: string, from: Date): GapResult {
  const startDay = DateTime.fromJSDate(from, { zone });
  const firstDay = Date.UTC(startDay.year, startDay.month - 1, startDay.day) / DAY_MS;
  const windowEnd = firstDay + SIMULATED_DAYS;
  const lastYear = spec.years === undefined ? LAST_CRON_YEAR : Math.max(...spec.years);
  const clock = clockFor(zone, firstDay);
  const laterOffset = clock.offsetAt(windowEnd * DAY_MS) * MINUTE_MS;
  const minutes = spec.minutesOfDay.map((m) => m * MINUTE_MS);
  const lastMinute = minutes[minutes.length - 1];

  // The narrowest step inside one day, on a day whose offset does not change.
  let narrowestMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i + 1 < minutes.length; i++)
    narrowestMs = Math.min(narrowestMs, minutes[i + 1] - minutes[i]);

  // The widest step inside one day, on a day whose offset does not change.
  let intraIndex = -1;
  for (let i = 0; i + 1 < minutes.length; i++) {
    if (
      intraIndex < 0 ||
      minutes[i + 1] - minutes[i] > minutes[intraIndex + 1] - minutes[intraIndex]
    )
      intraIndex = i;
  }

  const start = clock.instantsOf(firstDay * DAY_MS)[0] ?? from.getTime();
  let previous = start;
  let runs = 0;
  let best = { ms: -1, from: start, to: start, fromIsRun: false };
  let shortestMs = Number.POSITIVE_INFINITY;
  const consider = (before: number, after: number) => {
    if (after - before > best.ms)
      best = { ms: after - before, from: before, to: after, fromIsRun: runs > 0 };
    if (runs > 0) shortestMs = Math.min(shortestMs, after - before);
  };

  const visit = (day: number, calendar: CalendarDay) => {
    if (!runsOn(spec, calendar)) return;
    const wall = day * DAY_MS;
    const steady = day < windowEnd ? clock.steadyOn(wall) : laterOffset / MINUTE_MS;
    if (steady !== undefined) {
      const offset = steady * MINUTE_MS;
      consider(previous, wall + minutes[0] - offset);
      runs++;
      shortestMs = Math.min(shortestMs, narrowestMs);
      if (intraIndex >= 0)
        consider(wall + minutes[intraIndex] - offset, wall + minutes[intraIndex + 1] - offset);
      previous = wall + lastMinute - offset;
      return;
    }
    for (const minute of minutes) {
      const instant = clock.instantsOf(wall + minute)[0];
      // Skipped when clocks spring forward; once when they fall back.
      if (instant === undefined || instant <= previous) continue;
      consider(previous, instant);
      runs++;
      previous = instant;
    }
  };

  // Walks the calendar month by month, skipping years and months the expression excludes.
  for (let year = startDay.year; year <= lastYear; year++) {
    if (spec.years !== undefined && !spec.years.has(year)) continue;
    for (let month = 1; month <= 12; month++) {
      if (!spec.months.has(month)) continue;
      const monthStart = Date.UTC(year, month - 1, 1) / DAY_MS;
      const length = daysInMonth(year, month);
      const firstWeekDay = ((((monthStart + 4) % 7) + 7) % 7) + 1;
      for (let day = 1; day <= length; day++) {
        const dayNumber = monthStart + day - 1;
        if (dayNumber < firstDay) continue;
        const weekDay = ((firstWeekDay - 1 + day - 1) % 7) + 1;
        visit(dayNumber, { year, month, day, weekDay, daysInMonth: length });
      }
    }
  }

  const firstDate = DateTime.fromMillis(start, { zone }).toFormat("yyyy-MM-dd");
  if (runs === 0 && lastYear < startDay.year) {
    return {
      ok: false,
      reason: `never fires: its year field ends at ${lastYear}, which is in the past (runs are simulated from ${firstDate}); use * for the year`,
    };
  }
  if (runs === 0) {
    return {
      ok: false,
      reason: `never fires: no date from ${firstDate} to ${lastYear}-12-31 matches its day-of-month, month, day-of-week and year fields`,
    };
  }
  if (lastYear < LAST_CRON_YEAR && !spec.yearsOpenEnded) {
    return {
      ok: false,
      reason: `stops: its last run is ${localTime(previous, zone)} (the year field ends at ${lastYear}); a recurring job must not end`,
    };
  }
  return {
    ok: true,
    longest: {
      seconds: best.ms / 1000,
      from: localTime(best.from, zone),
      to: localTime(best.to, zone),
      fromIsRun: best.fromIsRun,
    },
    // One run in the whole window: the window is the shortest gap known.
    shortestSeconds: (Number.isFinite(shortestMs) ? shortestMs : best.ms) / 1000,
  };
}
