/**
 * A backup row's schedule against the row's RPO, read in the stack's time zone. Pure module.
 */
import {
  BACKUP_TYPES,
  describeLongestGap,
  describeSeconds,
  parseScheduleExpression,
  type BackupTypeKey,
} from "../catalog";

/**
 * Why `expression` breaks `row`'s RPO in `timezone`, or `undefined` when it does not (or when it
 * does not parse: its own rules say so). The message names the longest gap's length and dates and
 * the time zone; when daylight saving time is what stretches it, it says so and what the gap is in
 * UTC (EventBridge Scheduler skips a run whose local time does not exist and runs a repeated hour
 * once: see infra/catalog/schedule/runGaps.ts).
 *
 * @param isDefault the stack does not set this schedule: the catalog's default is checked
 * @param now start of the simulated runs
 */
export function rpoGapProblem(
  row: BackupTypeKey,
  expression: string,
  timezone: string,
  now: Date,
  isDefault = false,
): string | undefined {
  const parsed = parseScheduleExpression(expression, { timezone, from: now });
  const rpo = BACKUP_TYPES[row].rpoSeconds;
  if (!parsed.ok || parsed.maxGapSeconds <= rpo) return undefined;
  const parts = [
    `${isDefault ? "(the default) " : ""}leaves ${describeLongestGap(parsed, timezone)}, longer than the ${row} RPO of ${describeSeconds(rpo)}`,
  ];
  const utc = parseScheduleExpression(expression, { timezone: "UTC", from: now });
  if (utc.ok && utc.maxGapSeconds < parsed.maxGapSeconds) {
    parts.push(
      `: daylight saving time stretches it from ${describeSeconds(utc.maxGapSeconds)} in UTC ` +
        "(EventBridge Scheduler skips a run whose local time does not exist when clocks spring forward " +
        "and runs a repeated hour once); use rate(...), more runs a day, or timezone UTC",
    );
  }
  return parts.join("");
}
