/**
 * The PostgreSQL engine seam, host side: the one contract every engine adapter fulfils. Jobs,
 * the health check and the restores speak only to this interface (`engineFor`), never to a tool.
 *
 * Contract, per method: what it returns when the thing is absent, and what it throws.
 * - Every failure is a `JobError` whose message names the engine's own error and whose hint says
 *   what to do next; nothing is retried silently here (the jobs decide).
 * - "Repository" is `s3` (the bucket, this host's `postgres/<host>/`) or `local` (the runbook's
 *   second location under `local.root`).
 */
import type { EngineSecrets, PostgresEngineDescriptor } from "../../../infra/catalog/engines";
import type { StandbyCluster } from "../../../infra/catalog/backupFrom";
import type { BackupKind, OtherBucket } from "../../../infra/catalog/engines/descriptor";
import type { WalSegmentGap, WalRange } from "../postgres/walSegments";
import { JobError } from "../job/errors";
import type { Logger } from "../job/log";

/**
 * What to do when a repository holds another cluster's backups (a different system identifier):
 * the same for every engine, which refuses to write into it.
 */
export const ANOTHER_CLUSTER_HINT =
  "the repository belongs to a cluster with another system identifier (was PostgreSQL re-initialised?); the old repository is kept untouched — give this host a new hostId or move the old repository aside, then run the install document";

/**
 * The refusal when `repository` records another cluster than this host's: `recorded` is the
 * system identifier the repository holds, `cluster` this host's (pg_control), `refused` what was
 * not done ("nothing was expired").
 */
export function anotherClusterError(
  repository: Repository,
  recorded: string,
  cluster: string,
  refused: string,
): JobError {
  return new JobError(
    `the ${repository} repository belongs to the cluster with system identifier ${recorded}, but PostgreSQL here has system identifier ${cluster}: ${refused}`,
    ANOTHER_CLUSTER_HINT,
  );
}

export type Repository = "s3" | "local";
export const REPOSITORIES: readonly Repository[] = ["s3", "local"];

export type { BackupKind };

/** One backup as the engine lists it. */
export interface EngineBackup {
  /** The engine's own name (descriptor `backupNamePattern`). */
  readonly name: string;
  readonly kind: BackupKind;
  /**
   * For a differential or incremental: the backup it holds the changes since (its full, or the
   * backup before it), which a restore reads first. Absent for a full.
   */
  readonly prior?: string;
  readonly repository: Repository;
  readonly startedAt: Date;
  readonly stoppedAt: Date;
  /** First and last WAL segment the backup needs to be consistent. */
  readonly walStart: string;
  readonly walStop: string;
  /** The LSN at which the backup is consistent (`0/2000100`), when the engine reports it. */
  readonly stopLsn?: string;
  /** Bytes of the cluster the backup covers, and bytes it occupies in the repository. */
  readonly databaseBytes: number;
  readonly storedBytes: number;
  /** Key-value notes stored with the backup (row counts: `rows.<table>`). */
  readonly annotations: Readonly<Record<string, string>>;
  /** False when the engine found a problem during the backup (e.g. a page checksum failure). */
  readonly ok: boolean;
  /**
   * What the engine found, in its words, where it says: each damaged relation file with its
   * blocks (`base/16384/16385 at page(s) 0`). Absent when it names nothing.
   */
  readonly damage?: readonly string[];
}

export interface BackupRequest {
  readonly kind: BackupKind;
  readonly repository: Repository;
  readonly annotations: Readonly<Record<string, string>>;
  /** Checkpoint at once instead of spreading it out: only for runs a person is waiting for. */
  readonly startFast: boolean;
  /**
   * Read the data files from this streaming standby of the cluster instead of the primary (the
   * primary still starts and stops the backup); the caller has checked it is usable. The backup
   * resolves once the engine reports it complete: the WAL it needs may still be on its way to
   * the repository (the caller waits for it).
   */
  readonly standby?: StandbyCluster;
}

/** One problem `verify` found, in words an on-call engineer can act on. */
export interface VerifyProblem {
  /** The damaged file or WAL segment, as the repository names it. */
  readonly subject: string;
  readonly message: string;
}

export interface VerifyReport {
  readonly repository: Repository;
  readonly ok: boolean;
  readonly problems: readonly VerifyProblem[];
  /** Contiguous WAL the repository holds, per timeline. */
  readonly walRanges: readonly WalRange[];
  /** Gaps between the oldest kept backup's first segment and the newest archived one. */
  readonly walGaps: readonly WalSegmentGap[];
  readonly backupsChecked: number;
}

/**
 * Whose repository, and which: this host's own or another's (`SOURCE_HOST`, a clone of production
 * onto staging). Another host's repository is only ever read.
 */
export interface RepositorySource {
  readonly repository: Repository;
  /** The host id whose repository it is: its `postgres/<host>/` in S3. */
  readonly host: string;
  /** Another bucket than the engine config's: the cross-region replica (`SOURCE=replica`); read only. */
  readonly bucket?: OtherBucket;
}

/** One WAL segment as a repository holds it. */
export interface ArchivedSegment {
  /** 24 hex digits (timeline, log, segment). */
  readonly name: string;
  /**
   * When the repository stored it (S3 LastModified, file mtime). Every commit in the segment is no
   * later than this: the bound a restore uses for "the end of archived WAL".
   */
  readonly archivedAt: Date;
  readonly bytes: number;
}

/**
 * One line of a timeline history file (PostgreSQL `<timeline>.history`): the timeline left
 * `parent` at `lsn` (`0/3000000`).
 */
export interface TimelineSwitch {
  readonly parent: number;
  readonly lsn: string;
}

/**
 * One timeline a repository holds WAL or a history file for: how it descends from timeline 1 (its
 * history file's lines, oldest first; empty for timeline 1), when it began and where its WAL starts.
 */
export interface TimelineHistory {
  readonly timeline: number;
  readonly switches: readonly TimelineSwitch[];
  /**
   * False for a timeline above 1 whose history file the repository lacks: PostgreSQL cannot
   * recover along it (it reads `<timeline>.history` through restore_command).
   */
  readonly hasHistory: boolean;
  /** When the repository stored its history file: when the timeline began. */
  readonly historyArchivedAt?: Date;
  /** The oldest WAL segment the repository holds on it; absent when it holds only the history file. */
  readonly firstSegment?: string;
}

/**
 * Where recovery stops: `latest` replays every archived segment; `backup` stops as soon as the
 * backup is consistent; `time` stops at the first commit after `time` (commits at `time` included,
 * PostgreSQL's `recovery_target_inclusive` default).
 */
export type RestoreTarget =
  | { readonly kind: "latest" }
  | { readonly kind: "backup" }
  | {
      readonly kind: "time";
      /** The instant, to whole milliseconds: what the plan compares. */
      readonly time: Date;
      /**
       * The target as typed, in PostgreSQL's input form with its microseconds
       * (`parseTargetTime`); absent, `time` is written.
       */
      readonly recoveryTargetTime?: string;
    };

export interface RestoreRequest {
  readonly source: RepositorySource;
  /** The backup to start from, by its engine name. */
  readonly backup: string;
  readonly target: RestoreTarget;
  /**
   * The timeline recovery follows (`recovery_target_timeline`, PostgreSQL docs 20.5.6), as the
   * restore plan chose it; never left to PostgreSQL's default (`latest`), which would follow any
   * newer timeline found in the repository.
   */
  readonly timeline: number;
  /** Where the cluster is restored: must be empty (created when missing) unless `delta`. */
  readonly pgData: string;
  /** Rewrite only what differs from the backup in a non-empty `pgData` (checksums). */
  readonly delta: boolean;
  /** The restored cluster starts with `archive_mode = off` (a clone or a throwaway). */
  readonly archiveOff: boolean;
  /**
   * A throwaway restore (the restore test): tablespaces go under `root/tablespaces` instead of
   * their original paths, and the restored cluster's WAL fetches spool under `root/spool`.
   */
  readonly scratchRoot?: string;
  /**
   * The newest WAL segment the restore's plan found in the archive: past it, the restore_command
   * takes "missing" from the repositories it can read as the end of the archive.
   */
  readonly archiveEnd?: string;
}

export type InstallState =
  | { readonly installed: true; readonly version: string; readonly supported: boolean }
  | { readonly installed: false; readonly reason: string };

export interface PostgresEngineAdapter {
  readonly descriptor: PostgresEngineDescriptor;
  /** Never throws: whether the binary runs and at which version. */
  installed(): Promise<InstallState>;
  /** Throws unless installed at a supported version. */
  requireInstalled(): Promise<string>;
  /** Renders and writes the engine config file (owner: the engine's OS user, mode 0600). */
  writeConfig(secrets?: EngineSecrets): Promise<void>;
  /**
   * Creates this cluster's place in every repository; a second call changes nothing. Throws when
   * a repository belongs to another cluster (different system identifier): it is never reused.
   * `log` hears of waits (another engine process holding the repository's lock). Resolves with
   * what is ready, in the engine's words, for the job's summary
   * (`repositories ready for <the cluster as the engine names it>`).
   */
  setup(log?: Logger): Promise<string>;
  /** Archives one WAL segment through archive_command and finds it in every repository. */
  check(): Promise<void>;
  /** Takes a backup; resolves with it as listed once complete (its WAL archived). */
  backup(request: BackupRequest): Promise<EngineBackup>;
  /**
   * Complete backups, oldest first; [] when there are none (or no repository yet). `host`: another
   * host's S3 repository, read only (default: this host's); `bucket`: in another bucket (the
   * replica), read only.
   */
  list(repository?: Repository, host?: string, bucket?: OtherBucket): Promise<EngineBackup[]>;
  /** Every WAL segment in a repository, by name; [] when it holds none (or does not exist). */
  archivedWal(source: RepositorySource): Promise<ArchivedSegment[]>;
  /**
   * Whether the repository holds data files of backup `name`, by a listing of its files: the
   * engine's backup listing can outlive them (objects deleted from the bucket by hand or by a
   * lifecycle rule), and a restore must find that out before it stops anything.
   */
  backupDataPresent(source: RepositorySource, name: string): Promise<boolean>;
  /**
   * Every timeline the repository holds a history file or WAL segments for, lowest first, each
   * with its history file read; `[{ timeline: 1, switches: [], hasHistory: true }]` for a
   * repository with no WAL. A history file that cannot be read throws.
   */
  timelines(source: RepositorySource): Promise<TimelineHistory[]>;
  /**
   * `archivedWal` and `timelines` together, from one listing of the repository's archive: what a
   * restore plans from, read once.
   */
  walArchive(
    source: RepositorySource,
  ): Promise<{ segments: ArchivedSegment[]; timelines: TimelineHistory[] }>;
  /**
   * Restores `request.backup` into `request.pgData` and writes the recovery settings the PostgreSQL
   * 12+ way (`recovery.signal`, settings in `postgresql.auto.conf`; never `recovery.conf`): the
   * descriptor's `restoreCommand` reading from `request.source`, the target, and promotion once it
   * is reached; never as a standby (a `standby.signal` the backup carried is removed,
   * standbySignal.ts). PostgreSQL is not started. Throws (a `JobError` naming the engine's error) when
   * `pgData` is not empty without `delta`, or a cluster runs there.
   */
  restore(request: RestoreRequest): Promise<void>;
  /**
   * The engine's own error for the last failed archive_command of `segment` (a WAL segment or
   * history file name, as pg_stat_archiver's `last_failed_wal` gives it), read from what the engine
   * left on this host; undefined when it left none. Never throws.
   */
  archivePushError(segment: string): Promise<string | undefined>;
  /** Checks every backup file and WAL segment of a repository against its checksum. */
  verify(repository: Repository): Promise<VerifyReport>;
  /**
   * Removes backups past retention and the WAL only they needed; never what PITR still needs. With
   * `dryRun`, removes nothing and resolves with the engine's own account of what it would remove.
   * Throws (`anotherClusterError`) before removing anything when a repository records another
   * system identifier than this host's cluster (pg_control), or when that cannot be read.
   */
  expire(options?: { readonly dryRun?: boolean }): Promise<string[]>;
}
