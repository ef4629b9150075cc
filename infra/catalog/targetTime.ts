/**
 * The one grammar of a recovery target time, shared by the pg-restore document's allowedPattern
 * and the job's parser (scripts/lib/postgres/targetTime.ts). Pure module.
 *
 * Accepted: ISO 8601 (`2024-01-15T14:30:00Z`, `2024-01-15T16:30:00+02:00`) and PostgreSQL's own
 * timestamptz output (`2024-01-15 14:30:00.848487+00`, `+05:30`; PostgreSQL 15 docs, 8.5.2 "Date/Time
 * Output", ISO style): a `T` or a space between date and time, seconds always, up to 6 fractional
 * digits (PostgreSQL keeps microseconds), and an offset that is always explicit: `Z`, `±HH`,
 * `±HH:MM` or `±HHMM`. A time without an offset is refused: the host's time zone would decide what
 * it means.
 *
 * Capture groups (plain groups only: the SSM allowedPattern is a Java regular expression):
 * 1 year, 2 month, 3 day, 4 hour, 5 minute, 6 second, 8 fraction digits, 9 offset (`Z` or `±…`),
 * 10 the offset's minutes with their optional colon.
 */

/** `YYYY-MM-DD`, a `T` or a space, `HH:MM`: groups 1 to 5 of both forms below. */
const DATE_HOUR_MINUTE = "([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})";

/** The grammar above, unanchored, with the capture groups it lists. */
export const TARGET_TIME_SYNTAX = `${DATE_HOUR_MINUTE}:([0-9]{2})(\\.([0-9]{1,6}))?(Z|[+-][0-9]{2}(:?[0-9]{2})?)`;

/**
 * The date and clock of a target time with no offset after them (seconds and any number of
 * fractional digits optional): text a parser refuses for its missing offset, not as "not a time".
 */
export const NO_OFFSET_SYNTAX = `${DATE_HOUR_MINUTE}(:[0-9]{2}(\\.[0-9]+)?)?`;

/** The document parameter's whole value: empty (no target time) or one target time. */
export const TARGET_TIME_PATTERN = `^(|${TARGET_TIME_SYNTAX})$`;
