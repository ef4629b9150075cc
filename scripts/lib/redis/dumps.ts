/** Where Redis dumps live and what they record, shared by redis-backup and redis-restore. */

/** Local copies: `dump-20240115T020000Z.rdb` (the runbook's `dump-<date>.rdb`, to the second). */
export const LOCAL_DUMP_PATTERN = /^dump-\d{8}T\d{6}Z\.rdb$/;

/** Object names under `redis/<host>/`. */
export const DUMP_OBJECT_PATTERN = /^\d{8}T\d{6}Z\.rdb$/;

/** Metadata keys on an uploaded dump (S3 lower-cases metadata keys). */
export const REDIS_METADATA = {
  keyCount: "key-count",
  redisVersion: "redis-version",
  lastSave: "last-save",
} as const;

export function redisHostPrefix(prefix: string, host: string): string {
  return `${prefix}${host}/`;
}

export function redisObjectKey(prefix: string, host: string, stamp: string): string {
  return `${redisHostPrefix(prefix, host)}${stamp}.rdb`;
}
