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
import type { PostgresEngineDescriptor, StaticCredentials } from "../../../infra/catalog/engines";
import type { WalGap, WalRange } from "../walSegments";

export type Repository = "s3" | "local";
export const REPOSITORIES: readonly Repository[] = ["s3", "local"];

export type BackupKind = "full" | "differential" | "incremental";

/** One backup as the engine lists it. */
export interface EngineBackup {
  /** The engine's own name (descriptor `backupNamePattern`). */
  readonly name: string;
  readonly kind: BackupKind;
  readonly repository: Repository;
  readonly startedAt: Date;
  readonly stoppedAt: Date;
  /** First and last WAL segment the backup needs to be consistent. */
  readonly walStart: string;
  readonly walStop: string;
  /** Bytes of the cluster the backup covers, and bytes it occupies in the repository. */
  readonly databaseBytes: number;
  readonly storedBytes: number;
  /** Key-value notes stored with the backup (row counts: `rows.<table>`). */
  readonly annotations: Readonly<Record<string, string>>;
  /** False when the engine found a problem during the backup (e.g. a page checksum failure). */
  readonly ok: boolean;
}

export interface BackupRequest {
  readonly kind: BackupKind;
  readonly repository: Repository;
  readonly annotations: Readonly<Record<string, string>>;
  /** Checkpoint at once instead of spreading it out: only for runs a person is waiting for. */
  readonly startFast: boolean;
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
  readonly walGaps: readonly WalGap[];
  readonly backupsChecked: number;
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
  writeConfig(credentials?: StaticCredentials): Promise<void>;
  /**
   * Creates this cluster's place in every repository; a second call changes nothing. Throws when
   * a repository belongs to another cluster (different system identifier): it is never reused.
   */
  setup(): Promise<void>;
  /** Archives one WAL segment through archive_command and finds it in every repository. */
  check(): Promise<void>;
  /** Takes a backup; resolves with it as listed once complete (its WAL archived). */
  backup(request: BackupRequest): Promise<EngineBackup>;
  /** Complete backups, oldest first; [] when there are none (or no repository yet). */
  list(repository?: Repository): Promise<EngineBackup[]>;
  /** Checks every backup file and WAL segment of a repository against its checksum. */
  verify(repository: Repository): Promise<VerifyReport>;
  /**
   * Removes backups past retention and the WAL only they needed; never what PITR still needs. With
   * `dryRun`, removes nothing and resolves with the engine's own account of what it would remove.
   */
  expire(options?: { readonly dryRun?: boolean }): Promise<string[]>;
}
