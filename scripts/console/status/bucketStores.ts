/**
 * What the bucket holds of one host, per store, read by listing the host's prefixes: S3's own
 * LastModified is the time of every backup, never a stamp in a key or a job's belief.
 *
 * - postgres: `postgres/<host>/`, read through the stack's engine layout (`s3Layout`): a backup is
 *   the keys `backupDataKey` matches with its name, its time their newest LastModified (when its
 *   last data landed); the oldest backup's time is the earliest point it can restore to.
 * - wal: the same listing, the keys `walSegmentKey` matches; the newest segment's LastModified is
 *   the latest point a restore can reach.
 * - redis, configs: `rowAge` (scripts/lib/storage/rowAges.ts), as the health check reads them.
 */
import { catalogS3Prefixes, type HostConfig } from "../../../infra/catalog/hostConfig";
import type { PostgresEngineDescriptor } from "../../../infra/catalog/engines";
import { rowAge } from "../../lib/storage/rowAges";
import type { BackupStore, StoredObject } from "../../lib/storage/s3";

/** The stores the console reports on, in this order. */
export const STATUS_STORES = ["postgres", "wal", "redis", "configs"] as const;
export type StatusStore = (typeof STATUS_STORES)[number];

/** One backup as the bucket shows it. */
export interface BucketBackup {
  /** The engine's backup name, the WAL segment's name, or the key below the host's prefix. */
  readonly name: string;
  /** S3 LastModified of its newest object. */
  readonly time: Date;
}

export interface StoreReading {
  readonly store: StatusStore;
  /** The listed prefix, `<row prefix><host>/`. */
  readonly prefix: string;
  /** Undefined: the store holds nothing of this host. */
  readonly newest?: BucketBackup;
}

export interface HostBucketReading {
  readonly stores: readonly StoreReading[];
  /** PostgreSQL's backups in the bucket, oldest first. */
  readonly postgresBackups: readonly BucketBackup[];
}

/** `key` below `prefix`, for matching against the engine's layout patterns. */
function below(prefix: string, object: StoredObject): string {
  return object.key.slice(prefix.length);
}

/**
 * Backups by name from the engine's `backupDataKey` (group 1: the name), each at its newest data
 * object's LastModified; oldest first (ties: by name).
 */
export function backupsInListing(
  layout: PostgresEngineDescriptor["s3Layout"],
  prefix: string,
  objects: readonly StoredObject[],
): BucketBackup[] {
  const pattern = new RegExp(layout.backupDataKey);
  const times = new Map<string, number>();
  for (const object of objects) {
    const name = pattern.exec(below(prefix, object))?.[1];
    if (name === undefined) continue;
    times.set(name, Math.max(times.get(name) ?? 0, object.lastModified.getTime()));
  }
  return [...times.entries()]
    .map(([name, ms]) => ({ name, time: new Date(ms) }))
    .sort((a, b) => a.time.getTime() - b.time.getTime() || a.name.localeCompare(b.name));
}

/** The newest archived WAL segment by LastModified (`walSegmentKey`, group 1: its name). */
export function newestSegmentInListing(
  layout: PostgresEngineDescriptor["s3Layout"],
  prefix: string,
  objects: readonly StoredObject[],
): BucketBackup | undefined {
  const pattern = new RegExp(layout.walSegmentKey);
  let newest: BucketBackup | undefined;
  for (const object of objects) {
    const name = pattern.exec(below(prefix, object))?.[1];
    if (name === undefined) continue;
    const t = object.lastModified.getTime();
    if (!newest || t > newest.time.getTime() || (t === newest.time.getTime() && name > newest.name))
      newest = { name, time: object.lastModified };
  }
  return newest;
}

/**
 * Lists `host`'s prefixes in `store`'s bucket (one listing of `postgres/<host>/`, one of each of
 * redis and configs). Throws the store's `JobError` (naming the S3 error) when a listing fails.
 */
export async function readHostBucket(
  store: BackupStore,
  engine: PostgresEngineDescriptor,
  host: string,
): Promise<HostBucketReading> {
  const prefixes: HostConfig["s3Prefixes"] = catalogS3Prefixes();
  const postgresPrefix = `${prefixes.postgres}${host}/`;
  const objects = await store.list(postgresPrefix);
  const postgresBackups = backupsInListing(engine.s3Layout, postgresPrefix, objects);
  const segment = newestSegmentInListing(engine.s3Layout, postgresPrefix, objects);
  const stores: StoreReading[] = [
    { store: "postgres", prefix: postgresPrefix, ...newest(postgresBackups.at(-1)) },
    { store: "wal", prefix: postgresPrefix, ...newest(segment) },
  ];
  for (const row of ["redis", "configs"] as const) {
    const age = await rowAge(store, prefixes, host, row);
    const object = age.newest;
    stores.push({
      store: row,
      prefix: age.prefix,
      ...newest(object && { name: below(age.prefix, object), time: object.lastModified }),
    });
  }
  return { stores, postgresBackups };
}

function newest(backup: BucketBackup | undefined): { newest?: BucketBackup } {
  return backup ? { newest: backup } : {};
}
