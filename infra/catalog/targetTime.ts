/**
 * The shape of a recovery target time, shared by the pg-restore document's allowedPattern and the
 * job's parser (scripts/lib/targetTime.ts): seconds, optional milliseconds, and an offset that is
 * always explicit (`Z` or `+02:00`). Pure module.
 */
export const TARGET_TIME_PATTERN =
  "^(|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,3})?(Z|[+-][0-9]{2}:[0-9]{2}))$";
