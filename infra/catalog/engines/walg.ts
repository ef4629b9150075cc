/**
 * wal-g as the PostgreSQL engine: the runbook's own tool, for teams that keep their wal-g
 * repository. Not an operating-system package: a team installs the release binary (checked against
 * its published SHA-256) at `defaultBinary`, or gives the stack the binary as an artifact
 * (`walgArtifact`). Facts from wal-g's PostgreSQL documentation
 * (https://wal-g.readthedocs.io/PostgreSQL/, https://wal-g.readthedocs.io/STORAGES/) for v3.0.x.
 *
 * wal-g reads one storage per config, so each repository has its own JSON config file: S3 at
 * `postgres.engine.configFile`, the local repository at `localConfigFile(path)` (a `file://` storage under
 * the local backup root). Both are rendered here from the same inputs.
 */
import { stableJson } from "../stableJson";
import {
  engineConfigPath,
  fallbackRestoreCommand,
  restoreFetchesFor,
  RESTORE_FETCH_BOUNDS,
  restoreProcessMax,
  type EngineConfigInputs,
  type PostgresEngineDescriptor,
  type PostgresEngineHostConfig,
  type RestoreCommandOptions,
  type RestoreFetch,
} from "./descriptor";

/**
 * `wal-fetch` exits 74 (EX_IOERR) when the segment is not in the storage and 1 on any other failure
 * (wal-g v3.0.x cmd/pg/wal_fetch.go, internal/databases/postgres/constants ExIoError).
 */
export const WALG_NOT_FOUND_EXIT = 74;

/**
 * Deltas allowed in a row in the local repository: the pg-backup job decides full or incremental
 * (a full every 7 days); this only has to let that chain through, and stops a runaway chain.
 */
const LOCAL_DELTA_MAX_STEPS = 14;

/**
 * Uncompressed bytes after which wal-g closes a backup's tar part and starts the next: small enough
 * that a database of a few hundred MB is several parts, large enough that a large one is not
 * thousands of S3 objects. A file is never split, so a larger file makes a larger part.
 */
const TAR_PART_BYTES = 64 * 1024 * 1024;

/** The local repository's config beside the S3 one: `…/postgres-engine.json` → `…/postgres-engine.local.json`. */
export function localConfigFile(configPath: string): string {
  return configPath.replace(/(\.json)?$/, ".local.json");
}

/**
 * Where pg-engine-setup records the system identifier of the cluster this host's repositories
 * belong to, once it has checked them: `…/postgres-engine.json` → `…/postgres-engine.system-identifier`.
 */
export function archiveGuardFile(
  engine: Pick<PostgresEngineHostConfig, "kind" | "configFile">,
): string {
  return engineConfigPath(engine).replace(/(\.json)?$/, ".system-identifier");
}

/**
 * Offset of `xlp_sysid` in a WAL segment: the first page's long header (PostgreSQL
 * src/include/access/xlog_internal.h, XLogLongPageHeaderData: the 24-byte XLogPageHeaderData,
 * then the 64-bit system identifier in the server's byte order).
 */
const SEGMENT_SYSID_OFFSET = 24;

/**
 * Shell that exits 1, naming both clusters, unless WAL segment `%p` (`%f`: its name) carries the
 * system identifier in `archiveGuardFile`: wal-g's `wal-push` compares none, so once segment names
 * stop colliding with the repository's, a re-initialised or cloned cluster's WAL would enter
 * another cluster's repository. History, backup-label and partial files (names with a dot) carry
 * no page header and pass.
 */
function archiveGuard(e: PostgresEngineHostConfig): string {
  // Short on purpose: the whole expanded archive_command must fit PostgreSQL's limit
  // (descriptor ARCHIVE_COMMAND_MAX_BYTES); docs/engines.md, "A re-initialised cluster", says
  // what to do.
  const sysid = `$(od -An -tu8 -j${SEGMENT_SYSID_OFFSET} -N8 %p | tr -d ' ')`;
  return `case %f in *.*) ;; *) g=${archiveGuardFile(e)}; s=${sysid}; r=$(cat $g); [ -n "$s" ] && [ "$s" = "$r" ] || { echo "refused %f: its system identifier $s is not \${r:-recorded} in $g" >&2; exit 1; };; esac`;
}

function run(engine: PostgresEngineHostConfig, configFile: string): string {
  return `${engine.binary} --config ${configFile}`;
}

/**
 * Settings both repositories share. `WALG_PREVENT_WAL_OVERWRITE`: a segment whose name is already
 * in the repository is compared with it and refused when it differs (wal-g overwrites by default),
 * so a re-initialised or cloned cluster never replaces another cluster's WAL; an identical re-push
 * (PostgreSQL retrying after the other repository failed) is accepted.
 */
function commonSettings(i: EngineConfigInputs): Record<string, string> {
  return {
    WALG_COMPRESSION_METHOD: i.engine.compression.type,
    // Tar parts filled at once: each part's files are read, checksummed and compressed on one
    // core (wal-g's default is one), so the backup uses as many cores as pgBackRest's processes.
    WALG_UPLOAD_DISK_CONCURRENCY: String(i.processMax),
    // A part is closed past this size (wal-g's default is 1 GiB, so a smaller database is one
    // part): more parts are what a restore downloads and unpacks side by side.
    WALG_TAR_SIZE_THRESHOLD: String(TAR_PART_BYTES),
    // S3 multipart chunks of one part in flight at once.
    WALG_UPLOAD_CONCURRENCY: String(i.processMax),
    // Parts backup-fetch downloads and unpacks at once, and segments wal-fetch reads ahead: a
    // restore waits on S3 more than on the CPU, so it gets pgBackRest's restore processes.
    WALG_DOWNLOAD_CONCURRENCY: String(restoreProcessMax(i.processMax)),
    WALG_PREVENT_WAL_OVERWRITE: "true",
    // Each wal-push uploads exactly the segment PostgreSQL names. wal-g's read-ahead would upload
    // later segments too and mark them done in a status folder under pg_wal that both
    // repositories' pushes share: the other repository would then never receive them.
    TOTAL_BG_UPLOADED_LIMIT: "1",
    // Damaged pages are reported in the backup's output, which the adapter turns into a damage
    // note. The adapter's --verify asks the same; set here, a backup run by hand checks them too.
    WALG_VERIFY_PAGE_CHECKSUMS: "true",
    PGDATA: i.pg.pgData,
    PGHOST: i.pg.socketDir,
    PGPORT: String(i.pg.port),
    PGUSER: i.pg.user,
    // wal-g assumes 16 MiB segments and refuses a cluster with others unless told (in MiB).
    ...(i.pg.walSegmentBytes !== undefined
      ? { WALG_PG_WAL_SIZE: String(i.pg.walSegmentBytes / (1024 * 1024)) }
      : {}),
  };
}

/**
 * The S3 repository's config (JSON, `--config`; keys are wal-g's environment names). JSON has no
 * comments, and wal-g warns about every key it does not know on every run (each archive_command
 * too), so the file carries no "managed" header: docs/engines.md says it is rendered by
 * pg-engine-setup.
 * The storage root is the bucket and `WALG_STORAGE_PREFIX` this host's folder, so reading another
 * host's repository is the same config with that one setting overridden in the environment.
 */
function renderConfig(i: EngineConfigInputs): string {
  const e = i.engine;
  const settings: Record<string, string> = {
    ...commonSettings(i),
    WALG_S3_PREFIX: `s3://${i.bucket}`,
    WALG_STORAGE_PREFIX: i.s3RepositoryPath,
    AWS_REGION: i.region,
    // Deltas in a row on one full: at most one per run until the next full is due. A full is
    // always asked for with --full, so the bound only caps a chain, never turns a full into one.
    WALG_DELTA_MAX_STEPS: String(Math.max(1, i.backupPlan.fullEveryDays)),
    // Fail an unreachable S3 within about a minute instead of retrying for many: the archiver
    // retries anyway, and a restore_command must report an outage, not hang in it.
    WALG_S3_MAX_RETRIES: "3",
    // The bucket is versioned (and may carry an Object Lock). Left to detect that, wal-g lists
    // every version of every key, and its delete removes each version by id (pkg/storages/s3
    // folder.go isVersioningEnabled, listVersions, DeleteObjects; internal/delete_handler.go
    // DeleteObjectsWhere), which the lock refuses key by key while wal-g reports success. Treated
    // as unversioned, wal-g reads only current objects and its deletes leave delete markers over
    // the versions the lock and the noncurrent-version rule keep.
    S3_ENABLE_VERSIONING: "disabled",
  };
  if (i.kmsKeyArn) {
    settings.WALG_S3_SSE = "aws:kms";
    settings.WALG_S3_SSE_KMS_ID = i.kmsKeyArn;
  }
  if (e.endpoint) {
    // Not AWS: TLS is still verified, against this CA.
    settings.AWS_ENDPOINT = `https://${e.endpoint.host}:${e.endpoint.port}`;
    settings.AWS_S3_FORCE_PATH_STYLE = "true";
    settings.WALG_S3_CA_CERT_FILE = e.endpoint.caFile;
  }
  if (e.credentials === "static") {
    if (!i.staticCredentials)
      throw new Error("postgres.engine.credentials is 'static' but no credentials were given");
    settings.AWS_ACCESS_KEY_ID = i.staticCredentials.accessKeyId;
    settings.AWS_SECRET_ACCESS_KEY = i.staticCredentials.secretAccessKey;
    if (i.staticCredentials.sessionToken)
      settings.AWS_SESSION_TOKEN = i.staticCredentials.sessionToken;
  }
  if (i.repositoryCipherPass !== undefined)
    throw new Error(
      "client-side encryption of the wal-g repository is not built yet (stack config refuses it)",
    );
  return `${stableJson(settings)}\n`;
}

/** The local repository's config: a file storage under the local backup root. */
function renderLocalConfig(i: EngineConfigInputs): string {
  return `${stableJson({
    ...commonSettings(i),
    WALG_FILE_PREFIX: i.localRepositoryPath,
    WALG_DELTA_MAX_STEPS: String(LOCAL_DELTA_MAX_STEPS),
  })}\n`;
}

/**
 * restore_command, through `fallbackRestoreCommand`: `wal-fetch` exits 74 when a storage does not
 * hold the file. Without a source it reads S3, then the local repository (same cluster, same WAL);
 * with one, only that repository, and another host's S3 folder through `WALG_STORAGE_PREFIX`.
 * wal-fetch writes whatever the object holds, an empty one included, with exit 0: the wrapper's
 * size check makes that a failure that moves on to the next repository.
 */
function restoreCommand(e: PostgresEngineHostConfig, options: RestoreCommandOptions = {}): string {
  const { source } = options;
  const fetch = (
    name: RestoreFetch["name"],
    configFile: string,
    storagePrefix?: string,
  ): RestoreFetch => ({
    name,
    command: `${storagePrefix ? `env WALG_STORAGE_PREFIX=${storagePrefix} ` : ""}${run(e, configFile)} wal-fetch "$f" "$p"`,
    notFoundExit: WALG_NOT_FOUND_EXIT,
  });
  const s3 = fetch(
    "s3",
    engineConfigPath(e),
    source?.repository === "s3" ? source.s3RepositoryPath : undefined,
  );
  const local = fetch("local", localConfigFile(engineConfigPath(e)));
  return fallbackRestoreCommand(
    restoreFetchesFor({ s3, local }, source),
    options.spoolDir,
    RESTORE_FETCH_BOUNDS,
    options.archiveEnd,
  );
}

/**
 * Where archive_command leaves wal-push's error output for a segment it could not archive (the
 * health check reports it): `<spoolDir>/archive-push-<file>.error`, removed once the file is pushed.
 */
export function archivePushErrorFile(
  engine: Pick<PostgresEngineHostConfig, "spoolDir">,
  file: string,
): string {
  return `${engine.spoolDir}/archive-push-${file}.error`;
}

/**
 * The cluster guard first (in a subshell, so its refusal is kept like wal-push's); then S3
 * (off-site matters most), then the local repository; a failure of any fails the command, so
 * PostgreSQL keeps the segment and retries (an identical re-push is accepted). wal-push keeps no
 * record of a failure, so its error output is kept in `archivePushErrorFile` as well as passed on
 * to PostgreSQL's log.
 */
function archiveCommand(e: PostgresEngineHostConfig): string {
  const push = `(${archiveGuard(e)}) && ${run(e, engineConfigPath(e))} wal-push %p && ${run(e, localConfigFile(engineConfigPath(e)))} wal-push %p`;
  return `err="${archivePushErrorFile(e, "%f")}"; { ${push}; } 2>"$err"; rc=$?; cat "$err" >&2; [ $rc -eq 0 ] && rm -f "$err"; exit $rc`;
}

const VERSIONS = { min: "3.0.0", maxExclusive: "3.1" } as const;

export const WALG: PostgresEngineDescriptor = {
  key: "wal-g",
  title: "wal-g",
  settings: {},
  s3Layout: {
    backups: "basebackups_005/",
    wal: "wal_005/",
    backupDataKey:
      "^basebackups_005/(base_[0-9A-F]{24}(?:_D_[0-9A-F]{24})?)/tar_partitions/part_\\d+\\.tar(?:\\.\\w+)?$",
    walSegmentKey: "^wal_005/([0-9A-F]{24})(?:\\.\\w+)?$",
  },
  versions: VERSIONS,
  versionArgs: ["--version"],
  // `wal-g version v3.0.9\t<commit>\t<date>\tPostgreSQL`
  parseVersion: (output) => /\bv?(\d+\.\d+\.\d+)\b/.exec(output)?.[1],
  backupNamePattern: "^base_[0-9A-F]{24}(_D_[0-9A-F]{24})?$",
  backupNameExample: "base_000000010000000A000000C2",
  backupKinds: ["full", "differential", "incremental"],
  backsUpFromStandby: false,
  retentionCommand: "wal-g delete",
  compressionTypes: ["lz4", "zstd", "brotli", "lzma"],
  // zstd, not lz4 (wal-g's default): it stores far less on the bench's data in no more
  // time (figures: docs/benchmarks.md). wal-g reads each object by its extension, so backups and
  // WAL already stored as lz4 stay readable.
  defaultCompression: { type: "zstd", level: 0 },
  compressionLevels: { min: 0, max: 0 },
  defaultBinary: "/usr/local/bin/wal-g",
  configFile: {
    name: "postgres-engine.json",
    extension: ".json",
    render: renderConfig,
    companion: { file: localConfigFile, render: renderLocalConfig },
  },
  binaryEnv: "WALG_BINARY",
  artifactConfigKey: "walgArtifact",
  retiredStackKeys: {
    walgBackstopDays:
      "was renamed postgresBackstopDays (the PostgreSQL engine's lifecycle backstop, whichever engine)",
  },
  readsOtherBucket: false,
  plaintextSecretPatterns: [
    { what: "a wal-g libsodium key", pattern: /WALG_LIBSODIUM_KEY"?\s*[=:]\s*"?[^\s$"]/ },
  ],
  unavailableHint:
    "wal-g is not an OS package and cannot be installed from this project's package registries: set WALG_BINARY to a wal-g v3.0.x binary",
  archiveCommand,
  restoreCommand,
  installShell: () => [
    'if [ ! -x "$engine_bin" ]; then echo "wal-g is missing at $engine_bin: it is not an OS package; give the stack walgArtifact (the release binary and its SHA-256) or install it by hand (docs/engines.md#wal-g-postgresengine-wal-g)" >&2; exit 1; fi',
    `walg_version=$("$engine_bin" --version 2>&1 | head -1)`,
    `case "$walg_version" in *v${VERSIONS.min.replace(/\.0$/, ".")}*) ;; *) echo "wal-g at $engine_bin is '$walg_version'; this release needs v${VERSIONS.min.replace(/\.0$/, ".x")}" >&2; exit 1;; esac`,
  ],
};
