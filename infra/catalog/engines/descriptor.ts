/**
 * The PostgreSQL engine seam, catalog side: what the control plane and the host plane need to know
 * about the tool that archives WAL and takes base backups, as one pure descriptor per engine. The
 * host-side adapters (scripts/lib/engines/) run the tool; nothing outside these two folders names
 * an engine.
 *
 * Pure module: no Pulumi import, so host jobs can bundle it.
 */
import type { BackupPlan } from "../backupPlan";
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
  /** The S3 repository's backup plan: how long a chain of backups on one full may grow. */
  readonly backupPlan: BackupPlan;
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
  /**
   * The engine's installed version (`parseVersion`), for settings an engine only has from some
   * release on; absent where no engine is at hand (a rendering without a host), and such settings
   * are then left out.
   */
  readonly engineVersion?: string;
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
  /** The newest WAL segment the restore's plan found in the archive (`fallbackRestoreCommand`). */
  readonly archiveEnd?: string;
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

/**
 * How long one fetch of one file from one repository may take (a fetch that runs out of it is not
 * tried again for that file: the time is spent), how often a repository that failed otherwise
 * (not "missing": an error status, a damaged or short file) is tried again for the same file, and
 * for how long a repository that failed is tried after the others, once, for the following files. A restore_command must never wait on a dead repository for long: PostgreSQL
 * runs it once per file, so every second it waits is multiplied by the WAL segments to replay.
 */
export const RESTORE_FETCH_BOUNDS: RestoreFetchBounds = {
  attemptSeconds: 90,
  attempts: 3,
  pauseSeconds: 5,
  unreadableMemoryMinutes: 5,
};

export interface RestoreFetchBounds {
  /** Seconds one fetch may run (`timeout`), then it is ended and its repository passes the file on. */
  readonly attemptSeconds: number;
  /** Tries of a repository that failed otherwise, for one file. */
  readonly attempts: number;
  /** Seconds between those tries. */
  readonly pauseSeconds: number;
  /** Minutes a repository that failed is tried after the others, once per file. */
  readonly unreadableMemoryMinutes: number;
}

/** One repository a restore_command may read, in the order it is tried. */
export interface RestoreFetch {
  /** A shell word naming it in messages and in the shell (`s3`, `local`). */
  readonly name: "s3" | "local";
  /** Shell words that fetch the file `"$f"` into `"$p"` from this repository. */
  readonly command: string;
  /** The command's exit status for "this repository does not hold the file". */
  readonly notFoundExit: number;
}

/**
 * What the restore_command leaves behind, by file name: in its state directory, one marker per
 * repository that failed (`unreadable-<name>`; a restore starts without them); in the data
 * directory (its working directory), the name of the file it gave up on (`UNREADABLE_WAL_FILE`),
 * for the job to name when PostgreSQL stops.
 */
export const RESTORE_UNREADABLE_MARKER_PREFIX = "unreadable-";
export const UNREADABLE_WAL_FILE = "restore_command.unreadable";

/** Every WAL segment size `initdb --wal-segsize` allows, in bytes (1 MiB to 1 GiB, powers of 2). */
const WAL_SEGMENT_BYTES = Array.from({ length: 11 }, (_, i) => 2 ** (20 + i));

/**
 * The repositories a restore reads, in order: with no `source` (this host's own S3 repository),
 * S3 and then the local one, which holds the same WAL; a `source` is read alone (another host's or
 * the replica's S3 repository, or the local one when S3 is presumed down).
 */
export function restoreFetchesFor(
  repositories: { readonly s3: RestoreFetch; readonly local: RestoreFetch },
  source?: RestoreCommandSource,
): RestoreFetch[] {
  if (!source) return [repositories.s3, repositories.local];
  return [source.repository === "s3" ? repositories.s3 : repositories.local];
}

/**
 * A POSIX sh restore_command over several repositories (`%f`, `%p` as PostgreSQL expands them):
 * each is tried in order, every try bounded by `timeout` (coreutils); a repository that answers
 * "missing" passes the file to the next one; one that fails (or yields a file that is empty, or a
 * WAL segment that is not exactly one of the segment sizes PostgreSQL allows) is tried again up
 * to `attempts` times and then passes it on; one that does not answer within `attemptSeconds`
 * (exit 124 from `timeout`) passes it on at once. A repository that failed is remembered in `stateDir`
 * (when given) and tried after the others, once, for the next minutes.
 *
 * Exit status (PostgreSQL 15 docs, 26.3.4): 0 when a repository yielded the file; 1 when every
 * repository said "missing", or when every repository that could be read said so for a timeline
 * history file (PostgreSQL asks for histories that do not exist at every recovery start and end)
 * or for a segment after `archiveEnd` (the newest segment the restore's plan found: the end of the
 * archive); otherwise `RESTORE_COMMAND_UNREADABLE_EXIT`, so a WAL segment that a repository may
 * hold but could not give never looks like the end of the archive. No literal percent sign may appear
 * in the commands: PostgreSQL reads `%` as a placeholder.
 */
export function fallbackRestoreCommand(
  fetches: readonly RestoreFetch[],
  stateDir?: string,
  bounds: RestoreFetchBounds = RESTORE_FETCH_BOUNDS,
  archiveEnd?: string,
): string {
  if (archiveEnd !== undefined && !/^[0-9A-F]{24}$/.test(archiveEnd))
    throw new Error(`archiveEnd ${archiveEnd} is not a WAL segment name`);
  if (fetches.some((r) => r.command.includes("%")))
    throw new Error("a restore_command fetch may not contain '%' (PostgreSQL's placeholder)");
  // No single quote anywhere: an engine may write recovery options into postgresql.auto.conf
  // between single quotes without escaping them.
  if (stateDir !== undefined && /["$`\\'%]/.test(stateDir))
    throw new Error(`restore_command state directory ${stateDir} may not contain " $ \` \\ ' or %`);
  if (fetches.some((r) => r.command.includes("'")))
    throw new Error("a restore_command fetch may not contain a single quote");
  const sizes = WAL_SEGMENT_BYTES.join("|");
  const lines = [
    `f=%f; p="%p"; d="${stateDir ?? ""}"; end="${archiveEnd ?? ""}"`,
    // A WAL segment must be whole: exactly one of the sizes initdb allows. Other files (the
    // timeline histories) must not be empty.
    `whole() { [ -s "$p" ] || return 1; case $f in *.*) return 0;; esac; case $(($(wc -c <"$p"))) in ${sizes}) return 0;; esac; return 1; }`,
    `failed() { [ -n "$d" ] && [ -n "$(find "$d/${RESTORE_UNREADABLE_MARKER_PREFIX}$1" -mmin -${bounds.unreadableMemoryMinutes} 2>/dev/null)" ]; }`,
    ...fetches.map(
      (r) => `get_${r.name}() { timeout -k 10 ${bounds.attemptSeconds} ${r.command}; }`,
    ),
    `try() { n=$1; miss=$2; tries=$3; i=1; while :; do rm -f "$p"; get_$n; rc=$?; if [ $rc -eq 0 ]; then whole && return 0; echo "restore_command: $f from the $n repository is empty or not a whole WAL segment" >&2; rc=0; elif [ $rc -eq $miss ]; then return 1; elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then echo "restore_command: the $n repository did not give $f within ${bounds.attemptSeconds} s" >&2; rm -f "$p"; return 2; else echo "restore_command: reading $f from the $n repository failed with exit status $rc (try $i of $tries)" >&2; fi; rm -f "$p"; [ $i -ge $tries ] && return 2; i=$((i+1)); sleep ${bounds.pauseSeconds}; done; }`,
    `first=""; last=""; for n in ${fetches.map((r) => r.name).join(" ")}; do if failed $n; then last="$last $n"; else first="$first $n"; fi; done`,
    `missing=0; unreadable=0`,
    `for n in $first $last; do case $n in ${fetches.map((r) => `${r.name}) miss=${r.notFoundExit};;`).join(" ")} esac; tries=${bounds.attempts}; failed $n && tries=1; try $n $miss $tries; case $? in 0) [ -n "$d" ] && rm -f "$d/${RESTORE_UNREADABLE_MARKER_PREFIX}$n"; exit 0;; 1) missing=$((missing+1));; *) unreadable=$((unreadable+1)); [ -n "$d" ] && touch "$d/${RESTORE_UNREADABLE_MARKER_PREFIX}$n";; esac; done`,
    `[ $unreadable -eq 0 ] && exit 1`,
    // Past the plan's end of the archive (or a timeline history), the readable repositories'
    // "missing" is the answer: archive_command puts every file into every repository before
    // PostgreSQL counts it archived, so what one cannot be read for, the others hold too.
    `past=""; [ -n "$end" ] && expr "$f" ">" "$end" >/dev/null && past=yes; case $f in *.history) past=yes;; esac`,
    `[ -n "$past" ] && [ $missing -gt 0 ] && echo "restore_command: $f is missing from every repository that could be read" >&2 && exit 1`,
    `echo "restore_command: $f could not be read from $unreadable repository(ies) and is in none of the others" >&2; echo "$f" > ${UNREADABLE_WAL_FILE}; exit ${RESTORE_COMMAND_UNREADABLE_EXIT}`,
  ];
  return lines.join("; ");
}

/**
 * One setting of the engine's own section of the host config (`postgres.engine.settings`): the
 * pattern its value must match, that rule in words for messages, and the value the stack renders.
 */
export interface EngineSetting {
  readonly pattern: RegExp;
  readonly rule: string;
  readonly default: string;
}

/** The engine's own section as the stack renders it: every setting at its default. */
export function defaultEngineSettings(
  descriptor: Pick<PostgresEngineDescriptor, "settings">,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(descriptor.settings).map(([name, setting]) => [name, setting.default]),
  );
}

/**
 * What a backup holds: every file (`full`), the files changed since the newest full
 * (`differential`), or since the newest backup of any kind (`incremental`).
 */
export type BackupKind = "full" | "differential" | "incremental";

/** A secret written in plain text, for the policy pack: what it is, and a pattern that finds it. */
export interface PlaintextSecretPattern {
  readonly what: string;
  readonly pattern: RegExp;
}

/** An engine's config file: where it lives, what its name must look like, and its exact text. */
export interface EngineConfigFile {
  /** The file's name in the host's config directory. */
  readonly name: string;
  /**
   * The extension the file must have, for an engine that picks its parser by it (wal-g reads
   * `--config` through viper, which knows `.json` but not `.conf`). Absent: any name.
   */
  readonly extension?: string;
  /** The file's exact text. */
  render(inputs: EngineConfigInputs): string;
  /**
   * A second file, for an engine that reads one repository per config (wal-g: the local
   * repository's storage). Absent: `render` covers every repository.
   */
  readonly companion?: {
    /** Its path, derived from the main file's path. */
    file(configPath: string): string;
    render(inputs: EngineConfigInputs): string;
  };
}

/**
 * The engine config file's path on a host (`postgres.engine.configFile`), for an engine that reads
 * one. Throws when the host config names none: the host config schema requires the path exactly
 * for the engines whose descriptor has a `configFile`, so a command line never carries a missing path.
 */
export function engineConfigPath(
  engine: Pick<PostgresEngineHostConfig, "kind" | "configFile">,
): string {
  if (engine.configFile === undefined)
    throw new Error(
      `postgres.engine.configFile is not set, and the ${engine.kind} engine reads its config from it`,
    );
  return engine.configFile;
}

/**
 * The host config's `configFile` entry for an engine's config file kept in `dir`: `{ configFile }`
 * for an engine that reads one, `{}` for one that reads none (the schema refuses the key there).
 */
export function configFileEntry(
  descriptor: Pick<PostgresEngineDescriptor, "configFile">,
  dir: string,
): { configFile?: string } {
  return descriptor.configFile ? { configFile: `${dir}/${descriptor.configFile.name}` } : {};
}

/**
 * Whether `key` (relative to `postgres/<host>/`, or to the local repository's root) holds data of
 * backup `name` by the engine's layout (`s3Layout.backupDataKey`): a manifest or sentinel alone
 * restores nothing.
 */
export function isBackupDataKey(
  descriptor: Pick<PostgresEngineDescriptor, "s3Layout">,
  key: string,
  name: string,
): boolean {
  return new RegExp(descriptor.s3Layout.backupDataKey).exec(key)?.[1] === name;
}

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
  /**
   * The engine's own section of the host config (`postgres.engine.settings`), by setting name:
   * what only this engine knows of, kept out of the engine-neutral part. Empty: it has none.
   */
  readonly settings: Readonly<Record<string, EngineSetting>>;
  /** Supported versions, `[min, maxExclusive)` compared as dotted numbers. */
  readonly versions: { readonly min: string; readonly maxExclusive: string };
  /** Reads the installed version from the output of `binary versionArgs`. */
  readonly versionArgs: Argv;
  parseVersion(output: string): string | undefined;
  /** The pattern a backup name matches (document parameters and restores check it). */
  readonly backupNamePattern: string;
  readonly backupNameExample: string;
  /** The backup kinds the engine can take; `full` always among them. */
  readonly backupKinds: readonly BackupKind[];
  /**
   * Whether pg-backup takes backups on a standby with this engine. False: a standby's run takes
   * nothing and says so, and the primary's run takes the backups.
   */
  readonly backsUpFromStandby: boolean;
  /** Who deletes old backups and WAL: always the engine, which knows what PITR still needs. */
  readonly retentionCommand: string;
  readonly compressionTypes: readonly string[];
  readonly defaultCompression: { readonly type: string; readonly level: number };
  readonly compressionLevels: { readonly min: number; readonly max: number };
  /** Default executable path on a host. */
  readonly defaultBinary: string;
  /**
   * The engine's config file. Absent: the engine reads none (its command lines and environment
   * carry everything), and the host config's `postgres.engine.configFile` is refused.
   */
  readonly configFile?: EngineConfigFile;
  /**
   * Where the sandbox and the tests find the engine when it is not an OS package: the environment
   * variable naming its binary. Absent: `defaultBinary`, installed by the sandbox's install script.
   */
  readonly binaryEnv?: string;
  /**
   * For an engine that is no OS package: the stack config key that ships its release binary to
   * the hosts as a content-addressed artifact (installed at `defaultBinary`): `{ path, sha256 }`.
   * Absent: the stack ships no binary of this engine and refuses such a key.
   */
  readonly artifactConfigKey?: string;
  /**
   * Stack keys this engine once owned, each with the message a stack file that still sets one
   * gets (what it became). Absent: none.
   */
  readonly retiredStackKeys?: Readonly<Record<string, string>>;
  /**
   * The cipher the engine encrypts its S3 repository with when client-side encryption is on (the
   * passphrase comes from SSM at setup). Absent: the engine's repository encryption is not built,
   * and the stack config refuses client-side encryption with this engine.
   */
  readonly repositoryCipherType?: string;
  /**
   * What the engine's secrets look like written in plain text (its cipher settings with a value):
   * the policy pack refuses any resource input that matches one. A value that starts with `$` is
   * a shell reference resolved on the host, not a secret.
   */
  readonly plaintextSecretPatterns: readonly PlaintextSecretPattern[];
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

/**
 * Processes for a restore: twice the backup's, at most 8. A restore waits on S3 GETs more than on
 * the CPU (decompression is cheap), and every minute of it is downtime: more processes keep
 * shortening a restore where they no longer shorten a backup (the bench's figures:
 * docs/benchmarks.md, "Figures behind choices in the code").
 */
export function restoreProcessMax(processMax: number): number {
  return Math.min(8, processMax * 2);
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
