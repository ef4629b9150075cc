import { DateTime } from "luxon";
import { describe, expect, test } from "vitest";
import { describeLongestGap, describeSeconds, parseScheduleExpression } from "../../infra/catalog";
import { zoneClock } from "../../infra/catalog/schedule/zoneClock";

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;
/** Every case simulates from here: 2026 has Europe's transitions on 29 March and 25 October. */
const FROM = new Date("2026-01-01T00:00:00Z");

function gapOf(expression: string, timezone = "UTC") {
  const parsed = parseScheduleExpression(expression, { timezone, from: FROM });
  if (!parsed.ok) throw new Error(`${expression}: ${parsed.reason}`);
  return parsed;
}

describe("every field of a cron expression counts (UTC)", () => {
  test.each<[string, number, string, string]>([
    ["cron(0 2 * * ? *)", DAY, "2026-01-01 02:00", "2026-01-02 02:00"],
    ["cron(15 * * * ? *)", HOUR, "2026-01-01 00:15", "2026-01-01 01:15"],
    ["cron(0 3 ? * SUN *)", 7 * DAY, "2026-01-04 03:00", "2026-01-11 03:00"],
    ["cron(0 6 ? * 1 *)", 7 * DAY, "2026-01-04 06:00", "2026-01-11 06:00"],
    ["cron(0/15 * * * ? *)", 15 * MINUTE, "2026-01-01 00:00", "2026-01-01 00:15"],
    ["cron(10/25 * * * ? *)", 35 * MINUTE, "2026-01-01 00:35", "2026-01-01 01:10"],
    ["cron(0 */6 * * ? *)", 6 * HOUR, "2026-01-01 00:00", "2026-01-01 06:00"],
    ["cron(0,30 9-17/4 * * ? *)", 15 * HOUR + 30 * MINUTE, "2026-01-01 17:30", "2026-01-02 09:00"],
    // Friday 17:00 to Monday 08:00.
    ["cron(0 8-17 ? * MON-FRI *)", 63 * HOUR, "2026-01-02 17:00", "2026-01-05 08:00"],
    ["cron(0 8 ? * MON,WED,FRI *)", 3 * DAY, "2026-01-02 08:00", "2026-01-05 08:00"],
    // 31 January to 1 March: the longest month-to-month step.
    ["cron(0 2 1 * ? *)", 31 * DAY, "2026-01-01 02:00", "2026-02-01 02:00"],
    // Days 1, 11, 21, 31: ten days apart at most.
    ["cron(0 2 1/10 * ? *)", 10 * DAY, "2026-01-01 02:00", "2026-01-11 02:00"],
    // Day 31 exists in 7 months: March to May is 61 days.
    ["cron(0 2 31 * ? *)", 61 * DAY, "2026-03-31 02:00", "2026-05-31 02:00"],
    // L: last day of the month; 28 Feb to 31 Mar.
    ["cron(0 2 L * ? *)", 31 * DAY, "2026-02-28 02:00", "2026-03-31 02:00"],
    // W: the weekday nearest the 15th; 2026-02-15 is a Sunday, so Monday the 16th.
    ["cron(0 2 15W * ? *)", 32 * DAY, "2026-01-15 02:00", "2026-02-16 02:00"],
    // LW: the month's last weekday; 2027-02-26 (Fri) to 2027-03-31 (Wed).
    ["cron(0 2 LW * ? *)", 33 * DAY, "2027-02-26 02:00", "2027-03-31 02:00"],
    // 6L: the month's last Friday.
    ["cron(0 2 ? * 6L *)", 35 * DAY, "2026-04-24 02:00", "2026-05-29 02:00"],
    // 2#1: the first Monday.
    ["cron(0 2 ? * 2#1 *)", 35 * DAY, "2026-03-02 02:00", "2026-04-06 02:00"],
    // L alone in day-of-week: the week's last day, Saturday.
    ["cron(0 2 ? * L *)", 7 * DAY, "2026-01-03 02:00", "2026-01-10 02:00"],
    // Restricted months with special days: last day of February only, leap year included.
    ["cron(0 2 L FEB ? *)", 366 * DAY, "2027-02-28 02:00", "2028-02-29 02:00"],
    ["cron(0 2 ? JAN-MAR,OCT 2#1 *)", 217 * DAY, "2026-03-02 02:00", "2026-10-05 02:00"],
    ["cron(0 2 1 JAN/6 ? *)", 184 * DAY, "2026-07-01 02:00", "2027-01-01 02:00"],
    // Years: the day only leap years have, and 1900-style 2100 is no leap year.
    ["cron(0 0 29 2 ? *)", 2921 * DAY, "2096-02-29 00:00", "2104-02-29 00:00"],
    // The fifth Sunday of February: only a leap year whose February starts on a Sunday.
    ["cron(0 0 ? FEB 1#5 *)", 14609 * DAY, "2088-02-29 00:00", "2128-02-29 00:00"],
    // Every other year to AWS's last one (2198): a step does not end the schedule.
    ["cron(0 2 1 1 ? 2026/2)", 731 * DAY, "2028-01-01 02:00", "2030-01-01 02:00"],
    ["cron(0 2 * * ? 2026-2199)", DAY, "2026-01-01 02:00", "2026-01-02 02:00"],
    // A year range that starts later: the wait for its first run is a gap too.
    ["cron(0 2 * * ? 2027-2199)", 365 * DAY + 2 * HOUR, "2026-01-01 00:00", "2027-01-01 02:00"],
  ])("%s: longest gap %i s, from %s to %s", (expression, seconds, from, to) => {
    const parsed = gapOf(expression);
    expect(parsed.maxGapSeconds).toBe(seconds);
    expect(parsed.longestGap).toMatchObject({ from: `${from} +00:00`, to: `${to} +00:00` });
  });

  test.each([
    ["rate(5 minutes)", 5 * MINUTE],
    ["rate(1 hour)", HOUR],
    ["rate(2 days)", 2 * DAY],
  ])("%s runs every %i seconds, whatever the time zone", (expression, gap) => {
    for (const zone of ["UTC", "Europe/Berlin", "America/New_York"]) {
      expect(parseScheduleExpression(expression, { timezone: zone, from: FROM })).toEqual({
        ok: true,
        kind: "rate",
        maxGapSeconds: gap,
        minGapSeconds: gap,
      });
    }
  });
});

describe("in the stack's time zone, with EventBridge Scheduler's daylight saving time rules", () => {
  test.each<[string, string, number, string, string]>([
    // 02:30 does not exist on 29 March in Berlin: that run is skipped.
    [
      "cron(30 2 * * ? *)",
      "Europe/Berlin",
      47 * HOUR,
      "2026-03-28 02:30 +01:00",
      "2026-03-30 02:30 +02:00",
    ],
    // The repeated 02:30 on 25 October runs once.
    [
      "cron(30 * * * ? *)",
      "Europe/Berlin",
      2 * HOUR,
      "2026-10-25 02:30 +02:00",
      "2026-10-25 03:30 +01:00",
    ],
    // 01:00 always exists: the fall-back day is 25 hours long.
    [
      "cron(0 1 * * ? *)",
      "Europe/Berlin",
      25 * HOUR,
      "2026-10-25 01:00 +02:00",
      "2026-10-26 01:00 +01:00",
    ],
    [
      "cron(0 2 * * ? *)",
      "America/New_York",
      47 * HOUR,
      "2026-03-07 02:00 -05:00",
      "2026-03-09 02:00 -04:00",
    ],
    [
      "cron(0 3 ? * SUN *)",
      "America/New_York",
      7 * DAY + HOUR,
      "2026-10-25 03:00 -04:00",
      "2026-11-01 03:00 -05:00",
    ],
    // Southern hemisphere: Sydney falls back on 5 April, springs forward on 4 October.
    [
      "cron(30 2 * * ? *)",
      "Australia/Sydney",
      47 * HOUR,
      "2026-10-03 02:30 +10:00",
      "2026-10-05 02:30 +11:00",
    ],
    // Lord Howe moves by 30 minutes.
    [
      "cron(15 2 * * ? *)",
      "Australia/Lord_Howe",
      47 * HOUR + 30 * MINUTE,
      "2026-10-03 02:15 +10:30",
      "2026-10-05 02:15 +11:00",
    ],
    // No daylight saving time: a day is a day.
    ["cron(30 2 * * ? *)", "Asia/Tokyo", DAY, "2026-01-01 02:30 +09:00", "2026-01-02 02:30 +09:00"],
  ])("%s in %s: %i s between %s and %s", (expression, zone, seconds, from, to) => {
    const parsed = gapOf(expression, zone);
    expect(parsed.maxGapSeconds).toBe(seconds);
    expect(parsed.longestGap).toEqual({ seconds, from, to, fromIsRun: true });
  });

  test("the gap is found whatever day of the year the simulation starts", () => {
    for (const from of ["2026-04-01", "2026-11-29", "2027-12-31"]) {
      const parsed = parseScheduleExpression("cron(30 2 * * ? *)", {
        timezone: "Europe/Berlin",
        from: new Date(`${from}T12:00:00Z`),
      });
      expect(parsed.ok && parsed.maxGapSeconds, from).toBe(47 * HOUR);
    }
  });

  test("the message names the gap's length, its dates and the time zone", () => {
    const parsed = gapOf("cron(30 2 * * ? *)", "Europe/Berlin");
    expect(describeLongestGap(parsed, "Europe/Berlin")).toBe(
      "47 hours between its runs of 2026-03-28 02:30 +01:00 and 2026-03-30 02:30 +02:00 (Europe/Berlin)",
    );
    expect(describeLongestGap(gapOf("cron(0 2 * * ? 2027-2199)"), "UTC")).toBe(
      "8762 hours before its first run, 2027-01-01 02:00 +00:00 (UTC)",
    );
  });
});

describe("the wall clock agrees with luxon's own reading of each local time", () => {
  test.each(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago"])(
    "%s, every 15 minutes of a year",
    (zone) => {
      const from = Date.UTC(2026, 0, 1);
      const clock = zoneClock(zone, from, from + 366 * DAY * 1000);
      for (let wall = from; wall < from + 365 * DAY * 1000; wall += 15 * MINUTE * 1000) {
        const parts = new Date(wall);
        const local = DateTime.fromObject(
          {
            year: parts.getUTCFullYear(),
            month: parts.getUTCMonth() + 1,
            day: parts.getUTCDate(),
            hour: parts.getUTCHours(),
            minute: parts.getUTCMinutes(),
          },
          { zone },
        );
        const exists = local.hour === parts.getUTCHours() && local.minute === parts.getUTCMinutes();
        const expected = exists
          ? local
              .getPossibleOffsets()
              .map((d) => d.toMillis())
              .sort((a, b) => a - b)
          : [];
        expect(clock.instantsOf(wall), new Date(wall).toISOString()).toEqual(expected);
      }
    },
  );
});

describe("expressions that are refused, with the rule they break", () => {
  test.each([
    ["0 2 * * *", "expected cron(...) or rate(...)"],
    [
      "cron(0 2 * * *)",
      "cron() takes 6 fields (minutes hours day-of-month month day-of-week year), got 5",
    ],
    ["cron(0 2 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"],
    ["cron(0 2 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"],
    ["cron(60 2 * * ? *)", "'60' is outside 0-59 in the minutes field"],
    ["cron(0 24 * * ? *)", "'24' is outside 0-23 in the hours field"],
    ["cron(0 2 ? * FUN *)", "'FUN' is outside 1-7 in the day-of-week field"],
    ["cron(0 5-2 * * ? *)", "'5-2' is an empty range in the hours field"],
    ["cron(0 2 * 13 ? *)", "'13' is outside 1-12 in the month field"],
    ["cron(0 2 * * ? 1969)", "'1969' is outside 1970-2199 in the year field"],
    [
      "cron(? 2 * * ? *)",
      "'?' is allowed only in day-of-month or day-of-week, not in the minutes field",
    ],
    [
      "cron(0 2 ? * MON/2 *)",
      "'MON/2': the day-of-week field takes no '/' (its wildcards: , - * ? L #)",
    ],
    [
      "cron(0 2 ? * 3#1,6#3 *)",
      "'3#1' cannot be combined with other values in the day-of-week field (its wildcards: , - * ? L #)",
    ],
    [
      "cron(0 2 L,15 * ? *)",
      "'L' cannot be combined with other values in the day-of-month field (its wildcards: , - * ? / L W)",
    ],
    [
      "cron(0 2 ? * 2#6 *)",
      "'2#6' must be <day 1-7 or SUN-SAT>#<1-5> in the day-of-week field (one '#' expression only)",
    ],
    ["cron(0 2 32W * ? *)", "'32W' is outside 1-31 in the day-of-month field"],
    [
      "cron(0 0 31 2 ? *)",
      "never fires: no date from 2026-01-01 to 2199-12-31 matches its day-of-month, month, day-of-week and year fields",
    ],
    [
      "cron(0 0 31 APR,JUN,SEP,NOV ? *)",
      "never fires: no date from 2026-01-01 to 2199-12-31 matches its day-of-month, month, day-of-week and year fields",
    ],
    [
      "cron(0 0 ? FEB 2#5 2026-2030)",
      "never fires: no date from 2026-01-01 to 2030-12-31 matches its day-of-month, month, day-of-week and year fields",
    ],
    [
      "cron(0 2 * * ? 2020-2025)",
      "never fires: its year field ends at 2025, which is in the past (runs are simulated from 2026-01-01); use * for the year",
    ],
    [
      "cron(0 2 * * ? 2026-2030)",
      "stops: its last run is 2030-12-31 02:00 +00:00 (the year field ends at 2030); a recurring job must not end",
    ],
    ["rate(0 minutes)", "rate() needs a value of at least 1"],
    ["rate(1 hours)", "write 'rate(1 hour)'"],
    ["rate(5 minute)", "write 'rate(5 minutes)'"],
    ["rate(5 weeks)", "rate() takes '<positive integer> <minute(s)|hour(s)|day(s)>'"],
    ["at(2026-01-01T00:00:00)", "at() runs once; a backup schedule must recur"],
  ])("%s: %s", (expression, reason) => {
    expect(parseScheduleExpression(expression, { from: FROM })).toEqual({ ok: false, reason });
  });

  test("an unknown time zone is refused, not read as UTC", () => {
    expect(parseScheduleExpression("cron(0 2 * * ? *)", { timezone: "Mars/Olympus" })).toEqual({
      ok: false,
      reason: "unknown time zone 'Mars/Olympus'",
    });
  });
});

test.each([
  [86400, "1 day"],
  [7 * 86400, "7 days"],
  [3600, "1 hour"],
  [900, "15 minutes"],
  [61, "61 seconds"],
  [Number.POSITIVE_INFINITY, "never"],
])("describeSeconds(%s) = %s", (seconds, text) => {
  expect(describeSeconds(seconds)).toBe(text);
});
