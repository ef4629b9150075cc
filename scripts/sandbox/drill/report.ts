/**
 * The drill report (`out/drill/report.json`). Top level: DESIGN.md section 6's figures, which are
 * PostgreSQL's (RPO and RTO of the restore to the newest state, rows of the point-in-time pass,
 * whose expectation is exact; null when the drill stopped before them) plus the Redis key counts
 * that section names; then the engine and versions, the stack's targets, each store's own figures
 * under its name (`postgres`, `redis`, `configs`), and the steps. The human reports
 * (report.md, report.html) are rendered from this value alone.
 */
import type { PostgresEngineKey } from "../../../infra/catalog/engines";
import type { BackupFrom } from "./options";
import type { StepResult } from "./steps";

/** One restore of PostgreSQL through pg-restore and what came back. */
export interface PostgresPass {
  /** `latest` or the target time (UTC, ISO 8601 with milliseconds). */
  readonly target: string;
  /** Check-table rows plus the load writes that had to be back. */
  readonly rowsExpected: number;
  /** Of those, back with their content. */
  readonly rowsRestored: number;
  readonly writesExpected: number;
  readonly writesRestored: number;
  /** Acknowledged writes not back: after the target (PITR) or lost with the host (latest). */
  readonly writesNotBack: number;
  /** Writes in flight at the target time: either way is right, not judged. */
  readonly writesUndecided: number;
  /** Time pg-restore took (document sent to promoted), seconds. */
  readonly restoreSeconds: number;
}

export interface PostgresDrill {
  readonly database: string;
  /** `--scale`: the size the check tables were grown to, MiB. */
  readonly scaleMb: number;
  readonly databaseBytes: number;
  /** Rows per check table when the full backup was taken. */
  readonly checkTableRows: Readonly<Record<string, number>>;
  readonly backup: {
    readonly name: string;
    readonly seconds: number;
    /** Where pg-backup read the data files (`--backup-from`), as its log said. */
    readonly readFrom: BackupFrom;
    /** pg-backup's summary words for it: `read from the standby at <socketDir>:<port> (0.0 MiB behind the primary)`. */
    readonly readFromNote: string;
  };
  readonly load: {
    readonly seconds: number;
    readonly writesAcknowledged: number;
    /** The load table the writes went to. */
    readonly table: string;
  };
  /** The restore to the newest state the archive held: RPO and RTO come from it. */
  readonly latest: PostgresPass;
  /** The restore to a moment inside the load: its expectation is exact. */
  readonly pointInTime: PostgresPass & {
    /** How the target was chosen: the default or `--to-time`. */
    readonly targetChosen: string;
  };
  /**
   * Seconds since the drill started: the data gone (end of the disaster step), and the database
   * writable with its content verified; the RTO is the time between them.
   */
  readonly disasterAtSeconds: number;
  readonly recoveredAtSeconds: number;
}

export interface DrillTargets {
  /** The catalog's WAL RPO: the most PostgreSQL data losing the host may cost, seconds. */
  readonly rpoSeconds: number;
  /** PostgreSQL's `archive_timeout` from the host config the stack ships, seconds. */
  readonly archiveTimeoutSeconds: number;
  /** What the drill's RPO must stay within: archive_timeout plus the time to push a segment. */
  readonly rpoBoundSeconds: number;
  /** The stack's `thresholds.restoreTestRtoMinutes` in seconds; null when it sets none. */
  readonly rtoSeconds: number | null;
}

export interface DrillVersions {
  readonly engine: string;
  readonly postgres: string;
  readonly redis: string;
  readonly node: string;
}

export interface DrillReport {
  readonly stack: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** PostgreSQL: newest acknowledged write lost with the host, seconds. */
  readonly rpoSeconds: number | null;
  /** PostgreSQL: data gone (end of the disaster) to a writable database whose content was verified, seconds. */
  readonly rtoSeconds: number | null;
  /** PostgreSQL, point-in-time pass: rows that had to be back and rows back with their content. */
  readonly rowsExpected: number | null;
  readonly rowsRestored: number | null;
  /** The same as `redis.keysExpected` / `redis.keysRestored`: named at the top by DESIGN.md. */
  readonly redisKeysExpected: number | null;
  readonly redisKeysRestored: number | null;
  readonly engine: {
    readonly key: PostgresEngineKey;
    readonly title: string;
    readonly version: string | null;
  };
  readonly versions: DrillVersions | null;
  readonly targets: DrillTargets | null;
  readonly postgres: PostgresDrill | null;
  readonly redis: {
    /** Keys written before the backup (seeds and load writes) and how many came back by value. */
    readonly keysExpected: number;
    readonly keysRestored: number;
    readonly rpoSeconds: number;
    readonly rtoSeconds: number;
    readonly writesAcknowledged: number;
    readonly writesRestored: number;
  } | null;
  readonly configs: {
    readonly expected: number;
    readonly restored: number;
    readonly files: readonly string[];
  } | null;
  readonly steps: readonly StepResult[];
  readonly ok: boolean;
  /** Why the drill stopped, when it did. */
  readonly failure?: string;
}
