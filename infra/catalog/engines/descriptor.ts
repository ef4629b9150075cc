/**
 * The PostgreSQL engine seam, catalog side: what the control plane and the host plane need to know
 * about the tool that archives WAL and takes base backups, as one pure descriptor per engine. The
 * host-side adapters (scripts/lib/engines/) run the tool; nothing outside these two folders names
 * an engine.
 *
 * Pure module: no Pulumi import, so host jobs can bundle it.
 */
import type { Argv, PostgresEngineHostConfig } from "../hostConfig";

/** The engine's section of the host config file (`postgres.engine`), as its schema defines it. */
export type { PostgresEngineHostConfig };

/** Static credentials, only for `credentials: "static"`. */
export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * What a host fetches at setup and the engine config carries, never the host config: static keys
 * (the sandbox only) and the repository cipher passphrase (SSM SecureString, client-side encryption).
 */
export interface EngineSecrets {
  readonly staticCredentials?: StaticCredentials;
  /** The S3 repository's passphrase; absent: the repository is not encrypted by the engine. */
  readonly repositoryCipherPass?: string;
}

/** Everything the engine config file is rendered from; plain values, resolved on the host. */
export interface EngineConfigInputs {
  readonly stack: string;
  readonly region: string;
  readonly bucket: string;
  readonly kmsKeyArn?: string;
  /** `postgres/<hostId>`: this host's repository, no leading or trailing slash. */
  readonly s3RepositoryPath: string;
  /** The local repository (the runbook's "S3 + Local"). */
  readonly localRepositoryPath: string;
  /** Days a full backup (and the WAL it needs) is kept in S3 and locally. */
  readonly retentionDays: { readonly s3: number; readonly local: number };
  readonly engine: PostgresEngineHostConfig;
  /** `engine.processMax`, or the host's own default when the config leaves it out. */
  readonly processMax: number;
  readonly pg: {
    readonly pgData: string;
    readonly port: number;
    readonly socketDir: string;
    readonly user: string;
    readonly binDir: string;
    /**
     * The cluster's `wal_segment_size` in bytes (pg_control), for an engine that must be told it;
     * absent where no cluster is at hand (a rendering without a host).
     */
    readonly walSegmentBytes?: number;
  };
  readonly staticCredentials?: StaticCredentials;
  readonly repositoryCipherPass?: string;
}

/**
 * Which repository a restore reads WAL from: `s3` at `s3RepositoryPath` (another host's path when
 * restoring a clone), or `local`. Absent: the engine's own config (this host, every repository).
 */
export interface RestoreCommandSource {
  readonly repository: "s3" | "local";
  /** `postgres/<host>`, no leading or trailing slash. */
  readonly s3RepositoryPath: string;
  /** Another bucket than the engine config's (the cross-region replica); read only. */
  readonly bucket?: OtherBucket;
}

/** A bucket by name and region (the replica, when the primary's region is down). */
export interface OtherBucket {
  readonly name: string;
  readonly region: string;
}

/** What a restore_command may need besides the engine config; absent parts: the config's own. */
export interface RestoreCommandOptions {
  readonly source?: RestoreCommandSource;
  /** The restored cluster's data directory when it is not the host's (the restore test). */
  readonly pgData?: string;
  /**
   * A spool and lock directory of the restore's own: WAL fetching never waits on the old
   * cluster's archiving (which may still be flushing after its stop) or shares its queue.
   */
  readonly spoolDir?: string;
  readonly lockDir?: string;
}

/**
 * Exit status a restore_command wrapper uses for "the archive could not be read" (as opposed to
 * "this segment is not in the archive"). PostgreSQL 15 treats an exit status of 1-125 as a missing
 * file and ends recovery there (promoting early when no target is set); above 128 it treats the
 * command as killed and aborts recovery with FATAL, so the server stops instead of promoting on a
 * short history (PostgreSQL 15 docs, 26.3.4 "Recovering Using a Continuous Archive Backup";
 * src/backend/access/transam/xlogarchive.c, `wait_result_is_any_signal`).
 */
export const RESTORE_COMMAND_UNREADABLE_EXIT = 255;

/** One engine, as the catalog knows it. */
export interface PostgresEngineDescriptor {
  readonly key: string;
  /** The engine's own name, for people. */
  readonly title: string;
  /** Objects under `postgres/<host>/`: the runbook's `postgres/full` and `postgres/wal`. */
  readonly s3Layout: {
    readonly backups: string;
    readonly wal: string;
    /**
     * Patterns (regular expression sources) of the keys under `postgres/<host>/` that hold a
     * backup's data (group 1: the backup's name) and one archived WAL segment (group 1: the
     * segment's name): what a reader of the bucket, or a test that damages it, looks for.
     */
    readonly backupDataKey: string;
    readonly walSegmentKey: string;
  };
  /** Supported versions, `[min, maxExclusive)` compared as dotted numbers. */
  readonly versions: { readonly min: string; readonly maxExclusive: string };
  /** Reads the installed version from the output of `binary versionArgs`. */
  readonly versionArgs: Argv;
  parseVersion(output: string): string | undefined;
  /** The pattern a backup name matches (document parameters and restores check it). */
  readonly backupNamePattern: string;
  readonly backupNameExample: string;
  /** Who deletes old backups and WAL: always the engine, which knows what PITR still needs. */
  readonly retentionCommand: string;
  readonly compressionTypes: readonly string[];
  readonly defaultCompression: { readonly type: string; readonly level: number };
  readonly compressionLevels: { readonly min: number; readonly max: number };
  /** Default executable path on a host. */
  readonly defaultBinary: string;
  /** The engine config's file name in the host's config directory. */
  readonly configFileName: string;
  /**
   * The extension a config file must have, for an engine that picks its parser by it (wal-g reads
   * `--config` through viper, which knows `.json` but not `.conf`). Absent: any name.
   */
  readonly configFileExtension?: string;
  /**
   * Where the sandbox and the tests find the engine when it is not an OS package: the environment
   * variable naming its binary. Absent: `defaultBinary`, installed by the sandbox's install script.
   */
  readonly binaryEnv?: string;
  /**
   * For an engine that is no OS package: the stack config key that ships its release binary to
   * the hosts as a content-addressed artifact (installed at `defaultBinary`).
   */
  readonly artifactConfigKey?: "walgArtifact";
  /** Why the engine may be missing on a development machine, for the "skipped" lines. */
  readonly unavailableHint: string;
  /**
   * Whether a restore can read this host's repository in another bucket (the cross-region
   * replica, `SOURCE=replica`); without it such a restore is refused by name, nothing touched.
   */
  readonly readsOtherBucket: boolean;
  /** postgresql.conf `archive_command` (`%p` as PostgreSQL expands it). */
  archiveCommand(engine: PostgresEngineHostConfig): string;
  /**
   * postgresql.conf `restore_command` (`%p`, `%f`), run by PostgreSQL through `/bin/sh`: exits 0
   * when the segment was fetched, 1 when the archive does not hold it (PostgreSQL then ends
   * recovery), and `RESTORE_COMMAND_UNREADABLE_EXIT` on any other failure (repository unreachable,
   * damaged file), so an outage never looks like the end of WAL.
   */
  restoreCommand(engine: PostgresEngineHostConfig, options?: RestoreCommandOptions): string;
  /** The engine config file's exact text. */
  renderConfig(inputs: EngineConfigInputs): string;
  /**
   * A second config file, for an engine that reads one repository per config (wal-g: the local
   * repository's storage). Absent: `renderConfig` covers every repository.
   */
  readonly companionConfig?: {
    /** Its path, derived from the main config's. */
    file(engine: Pick<PostgresEngineHostConfig, "configFile">): string;
    render(inputs: EngineConfigInputs): string;
  };
  /**
   * Shell lines for the install document: install the engine with the host's package manager when
   * missing, or fail saying how. `$engine_bin` holds the path; pg-engine-setup checks the version.
   */
  installShell(): readonly string[];
}

/** Compares dotted version numbers: negative, zero or positive like `a - b`. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function versionSupported(
  descriptor: Pick<PostgresEngineDescriptor, "versions">,
  version: string,
): boolean {
  return (
    compareVersions(version, descriptor.versions.min) >= 0 &&
    compareVersions(version, descriptor.versions.maxExclusive) < 0
  );
}

/**
 * Parallel processes when the host config sets none: every core up to 4. Backups run off-peak
 * (02:00) and restores want all the speed they can get; more than 4 rarely pays against S3.
 */
export function defaultProcessMax(cores: number): number {
  return Math.min(4, Math.max(1, cores));
}

/** The header every rendered engine config starts with. */
export function engineConfigHeader(stack: string, comment: string): string[] {
  return [
    `${comment} MANAGED by stellar-insights-backup (stack '${stack}'): rendered on this host by the`,
    `${comment} install document's pg-engine-setup step. Do not edit here; change the stack and deploy.`,
  ];
}

/**
 * The longest archive_command PostgreSQL runs whole: it expands `%p` and `%f` into a MAXPGPATH
 * (1024-byte) buffer and silently cuts what does not fit (PostgreSQL 15
 * src/backend/postmaster/shell_archive.c, `xlogarchcmd[MAXPGPATH]`), so a longer command runs cut
 * short. Bytes, without the terminating NUL.
 */
export const ARCHIVE_COMMAND_MAX_BYTES = 1023;

/**
 * `command` as PostgreSQL runs it for the longest file name it archives (a backup history file,
 * `000000010000000000000002.00000028.backup`, under `pg_wal/`).
 */
export function expandedArchiveCommand(command: string): string {
  const file = "000000010000000000000002.00000028.backup";
  return command.replaceAll("%p", `pg_wal/${file}`).replaceAll("%f", file);
}
