import { describe, expect, test } from "vitest";
import { describeSeconds, parseScheduleExpression } from "../../infra/catalog";

const HOUR = 3600;
const DAY = 86400;

describe("parseScheduleExpression", () => {
  test.each([
    ["cron(0 2 * * ? *)", DAY],
    ["cron(15 * * * ? *)", HOUR],
    ["cron(0 3 ? * SUN *)", 7 * DAY],
    ["cron(0 6 ? * 1 *)", 7 * DAY],
    ["cron(0/15 * * * ? *)", 15 * 60],
    ["cron(0 */6 * * ? *)", 6 * HOUR],
    ["cron(0 8-17 ? * MON-FRI *)", 63 * HOUR],
    ["cron(0 2 1 * ? *)", 31 * DAY],
    ["cron(0 2 L * ? *)", 35 * DAY],
    ["rate(5 minutes)", 5 * 60],
    ["rate(1 hour)", HOUR],
    ["rate(2 days)", 2 * DAY],
  ])("%s runs at most every %i seconds", (expression, gap) => {
    expect(parseScheduleExpression(expression)).toEqual({
      ok: true,
      kind: expression.slice(0, 4),
      maxGapSeconds: gap,
    });
  });

  test.each([
    ["0 2 * * *", "expected cron(...) or rate(...)"],
    [
      "cron(0 2 * * *)",
      "cron() takes 6 fields (minutes hours day-of-month month day-of-week year), got 5",
    ],
    ["cron(0 2 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"],
    ["cron(0 2 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"],
    ["cron(0 2 * * ? 2027)", "year must be '*' for a recurring schedule, got '2027'"],
    ["cron(60 2 * * ? *)", "'60' is outside 0-59 in the minutes field"],
    ["cron(0 24 * * ? *)", "'24' is outside 0-23 in the hours field"],
    ["cron(0 2 ? * FUN *)", "'FUN' is outside 1-7 in the day-of-week field"],
    ["cron(0 5-2 * * ? *)", "'5-2' is an empty range in the hours field"],
    ["cron(0 2 * 13 ? *)", "'13' is outside 1-12 in the month field"],
    ["rate(0 minutes)", "rate() needs a value of at least 1"],
    ["rate(1 hours)", "write 'rate(1 hour)'"],
    ["rate(5 minute)", "write 'rate(5 minutes)'"],
    ["rate(5 weeks)", "rate() takes '<positive integer> <minute(s)|hour(s)|day(s)>'"],
    ["at(2026-01-01T00:00:00)", "at() runs once; a backup schedule must recur"],
  ])("%s is refused: %s", (expression, reason) => {
    expect(parseScheduleExpression(expression)).toEqual({ ok: false, reason });
  });

  test("an expression that can never fire has an infinite gap", () => {
    expect(parseScheduleExpression("cron(0 2 31 2 ? *)")).toEqual({
      ok: true,
      kind: "cron",
      maxGapSeconds: Number.POSITIVE_INFINITY,
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
