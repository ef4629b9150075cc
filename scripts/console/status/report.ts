/**
 * The status report: what `status --json` prints, and what the table shows. Field names are
 * stable (a script may read them); times are ISO 8601 UTC, durations whole seconds.
 *
 *   {
 *     "schemaVersion": 1,
 *     "stack": "prod", "bucket": "stellar-insights-backups", "region": "us-east-1",
 *     "engine": "<the stack's engine key>",
 *     "now": "<the moment ages are measured at>",
 *     "ok": true,                                    // false: exit status 1
 *     "hosts": [{
 *       "host": "prod-db-1",
 *       "stores": [{                                 // postgres, wal, redis, configs
 *         "store": "postgres",
 *         "prefix": "postgres/prod-db-1/",           // the listing read
 *         "newest": { "name": "20261207-020000F", "time": "...", "ageSeconds": 3600 } | null,
 *         "limitSeconds": 86400,                     // age beyond which it is late
 *         "late": false                              // true also when the store is empty
 *       }],
 *       "recoverable": {                             // PostgreSQL's window in the bucket
 *         "backups": 3,                              // backups found by the engine's layout
 *         "earliest": "<the oldest backup's time>" | null,
 *         "latest": "<the newest WAL segment's time, or the newest backup's if later>" | null
 *       },
 *       "figures": [{                                // walArchiveLagSeconds, restoreTestRtoSeconds, diskUsagePercent
 *         "figure": "walArchiveLagSeconds", "metric": "WalArchiveLagSeconds", "unit": "seconds",
 *         "value": 12 | null, "at": "<its period's start>" | null,
 *         "lookbackSeconds": 10800,                  // how far back a value was looked for
 *         "limit": 900 | null,                       // its alarm's threshold
 *         "over": false
 *       }]
 *     }],
 *     "alarms": [{                                   // the stack's alarms in ALARM
 *       "name": "StellarBackup-prod-backup-age-postgres", "since": "..." | null,
 *       "reason": "..." | null, "runbook": "docs/runbook/alarms.md#alarm-backup-age" | null,
 *       "host": "prod-db-1" | null                   // null: on every host's series, or not a host's
 *     }]
 *   }
 *
 * With `--host`, `hosts` holds that host and `alarms` the alarms of that host or of no one host.
 */
import { BACKUP_TYPES, type Thresholds } from "../../../infra/catalog";
import type { HostBucketReading, StatusStore } from "./bucketStores";
import type { FigureReading } from "./hostMetrics";
import type { FiringAlarm } from "./stackAlarms";

export const STATUS_SCHEMA_VERSION = 1;

export interface StoreStatus {
  readonly store: StatusStore;
  readonly prefix: string;
  readonly newest: {
    readonly name: string;
    readonly time: string;
    readonly ageSeconds: number;
  } | null;
  readonly limitSeconds: number;
  readonly late: boolean;
}

export interface FigureStatus {
  readonly figure: string;
  readonly metric: string;
  readonly unit: "seconds" | "percent";
  readonly value: number | null;
  readonly at: string | null;
  readonly lookbackSeconds: number;
  readonly limit: number | null;
  readonly over: boolean;
}

export interface HostStatus {
  readonly host: string;
  readonly stores: readonly StoreStatus[];
  readonly recoverable: {
    readonly backups: number;
    readonly earliest: string | null;
    readonly latest: string | null;
  };
  readonly figures: readonly FigureStatus[];
}

export interface AlarmStatus {
  readonly name: string;
  readonly since: string | null;
  readonly reason: string | null;
  readonly runbook: string | null;
  readonly host: string | null;
}

export interface StatusReport {
  readonly schemaVersion: typeof STATUS_SCHEMA_VERSION;
  readonly stack: string;
  readonly bucket: string;
  readonly region: string;
  readonly engine: string;
  readonly now: string;
  readonly ok: boolean;
  readonly hosts: readonly HostStatus[];
  readonly alarms: readonly AlarmStatus[];
}

const HOUR = 3600;

/**
 * A store's age limit in seconds: the catalog row's RPO, except PostgreSQL's full backup, which
 * is late past the stack's `thresholds.backupAgeHours`, the limit its backup-age alarm pages at.
 */
export function storeLimitSeconds(store: StatusStore, thresholds: Thresholds): number {
  return store === "postgres" ? thresholds.backupAgeHours * HOUR : BACKUP_TYPES[store].rpoSeconds;
}

/** Whole seconds from `earlier` to `later` (negative when `earlier` is after `later`). */
function ageSeconds(earlier: Date, later: Date): number {
  return Math.floor((later.getTime() - earlier.getTime()) / 1000);
}

/** One host's status from what its bucket prefixes and its metrics hold, as at `now`. */
export function hostStatus(
  host: string,
  bucket: HostBucketReading,
  figures: readonly FigureReading[],
  thresholds: Thresholds,
  now: Date,
): HostStatus {
  const stores = bucket.stores.map((s): StoreStatus => {
    const limitSeconds = storeLimitSeconds(s.store, thresholds);
    const age = s.newest ? ageSeconds(s.newest.time, now) : undefined;
    return {
      store: s.store,
      prefix: s.prefix,
      newest: s.newest
        ? { name: s.newest.name, time: s.newest.time.toISOString(), ageSeconds: age ?? 0 }
        : null,
      limitSeconds,
      late: age === undefined || age > limitSeconds,
    };
  });
  const wal = bucket.stores.find((s) => s.store === "wal")?.newest;
  const newestBackup = bucket.postgresBackups.at(-1);
  // A backup restores to its own end even before a later segment is archived.
  const latest =
    newestBackup && wal && wal.time > newestBackup.time ? wal.time : newestBackup?.time;
  return {
    host,
    stores,
    recoverable: {
      backups: bucket.postgresBackups.length,
      earliest: bucket.postgresBackups[0]?.time.toISOString() ?? null,
      latest: latest?.toISOString() ?? null,
    },
    figures: figures.map((r): FigureStatus => {
      const limit = r.figure.limit(thresholds) ?? null;
      const value = r.latest?.value ?? null;
      return {
        figure: r.figure.figure,
        metric: r.figure.metric,
        unit: r.figure.unit,
        value,
        at: r.latest?.at.toISOString() ?? null,
        lookbackSeconds: r.figure.lookbackSeconds,
        limit,
        over: value !== null && limit !== null && value > limit,
      };
    }),
  };
}

export function alarmStatus(alarm: FiringAlarm): AlarmStatus {
  return {
    name: alarm.name,
    since: alarm.since?.toISOString() ?? null,
    reason: alarm.reason ?? null,
    runbook: alarm.runbook ?? null,
    host: alarm.host ?? null,
  };
}

/** True when nothing is wrong: no store late, no figure over its limit, no alarm in ALARM. */
export function allWell(hosts: readonly HostStatus[], alarms: readonly AlarmStatus[]): boolean {
  return (
    alarms.length === 0 &&
    hosts.every((h) => h.stores.every((s) => !s.late) && h.figures.every((f) => !f.over))
  );
}
