/**
 * pgBackRest as the PostgreSQL engine (the default): an operating-system package on Debian/Ubuntu
 * (PGDG and Debian main), RHEL (PGDG, EPEL), so hosts install it without a binary download.
 * Facts below are from the pgBackRest 2.45 configuration reference
 * (https://pgbackrest.org/configuration.html) and user guide.
 */
import {
  compareVersions,
  engineConfigHeader,
  engineConfigPath,
  fallbackRestoreCommand,
  restoreFetchesFor,
  RESTORE_FETCH_BOUNDS,
  restoreProcessMax,
  type EngineConfigInputs,
  type OtherBucket,
  type PostgresEngineDescriptor,
  type PostgresEngineHostConfig,
  type RestoreCommandOptions,
  type RestoreFetch,
} from "./descriptor";

/** pgBackRest's only repository cipher (configuration reference, `repo-cipher-type`). */
export const PGBACKREST_CIPHER_TYPE = "aes-256-cbc";

/**
 * The stanza this host's cluster is known by in every repository (the host config's
 * `postgres.engine.settings.stanza`).
 */
export function stanzaOf(engine: Pick<PostgresEngineHostConfig, "settings">): string {
  const stanza = engine.settings.stanza;
  if (stanza === undefined) throw new Error("postgres.engine.settings has no stanza");
  return stanza;
}

function commandPrefix(engine: PostgresEngineHostConfig): string {
  return `${engine.binary} --config=${engineConfigPath(engine)} --stanza=${stanzaOf(engine)}`;
}

/**
 * `archive-get` exits 1 only when the repositories it reads do not hold the file (pgBackRest 2.45
 * src/command/archive/get/get.c); any other failure exits with its error code ([039] for an
 * unreachable host, [045] for a damaged file, [082] for a fetch the asynchronous process did not
 * finish within `archive-timeout`). Given several repositories, pgBackRest 2.45 looks for the file
 * in each in order but stops at the first that lists it, even when reading it then fails, and it
 * retries an unreachable S3 endpoint for many minutes; so the command asks one repository at a
 * time (`--repo`), each try bounded, S3 first (asynchronous, prefetching in parallel), then the
 * local repository (synchronous: it is on this host), through `fallbackRestoreCommand`. With a
 * source, the command reads that one repository only, and the S3 one at the source's path: on a
 * clone, this host's own repositories belong to another cluster.
 */
function restoreCommand(e: PostgresEngineHostConfig, options: RestoreCommandOptions = {}): string {
  const { source } = options;
  const fetch = (
    name: RestoreFetch["name"],
    extra: readonly string[],
    asynchronous: boolean,
  ): RestoreFetch => ({
    name,
    command: [
      commandPrefix(e),
      ...extra,
      // archive-get reads pg_control from pg1-path to pick the archive: the restored cluster's own.
      ...(options.pgData ? [`--pg1-path=${options.pgData}`] : []),
      // The spool is valid with archive-async only (pgBackRest refuses it otherwise, [031]).
      ...(asynchronous && options.spoolDir ? [`--spool-path=${options.spoolDir}`] : []),
      // archive-get:async takes the same stanza lock as archive-push:async.
      ...(options.lockDir ? [`--lock-path=${options.lockDir}`] : []),
      'archive-get "$f" "$p"',
    ].join(" "),
    notFoundExit: 1,
  });
  const s3 = fetch(
    "s3",
    [
      "--repo=1",
      ...(source?.repository === "s3"
        ? [
            `--repo1-path=/${source.s3RepositoryPath}`,
            ...(source.bucket ? otherBucketOptions(e, source.bucket) : []),
          ]
        : []),
    ],
    true,
  );
  const local = fetch("local", ["--repo=2", "--no-archive-async"], false);
  return fallbackRestoreCommand(
    restoreFetchesFor({ s3, local }, source),
    options.spoolDir,
    RESTORE_FETCH_BOUNDS,
    options.archiveEnd,
  );
}

/**
 * Options that point repo1 at another bucket (the replica) for one command, overriding the config
 * file's `repo1-s3-bucket`, `repo1-s3-region` and, on AWS, the regional endpoint; a custom endpoint
 * (the sandbox's) serves every bucket and stays.
 */
export function otherBucketOptions(e: PostgresEngineHostConfig, bucket: OtherBucket): string[] {
  return [
    `--repo1-s3-bucket=${bucket.name}`,
    `--repo1-s3-region=${bucket.region}`,
    ...(e.endpoint ? [] : [`--repo1-s3-endpoint=s3.${bucket.region}.amazonaws.com`]),
  ];
}

/**
 * The first release whose block incremental backup is no longer a beta: 2.45 had it behind `beta`
 * ("FOR BETA TESTING ONLY. DO NOT USE IN PRODUCTION"), 2.46 released it (pgBackRest release notes,
 * v2.46 "Block Incremental Backup and SFTP Storage").
 */
export const BLOCK_INCREMENTAL_SINCE = "2.46";

/**
 * Why the repositories take block incremental backups, or undefined where the installed release
 * (unknown: left out) has none to trust. A differential or incremental then stores the changed
 * blocks of a changed file instead of the whole file (configuration reference, `repo-block`; it
 * needs `repo-bundle`, on here): a day's updates scattered over a large table touch every one of
 * its 1 GiB segment files, which a file-level differential copies whole.
 */
export function blockIncremental(engineVersion: string | undefined): string | undefined {
  if (engineVersion === undefined || compareVersions(engineVersion, BLOCK_INCREMENTAL_SINCE) < 0)
    return undefined;
  return "Block incremental: a differential stores the changed blocks of a changed file, not the whole file.";
}

function renderConfig(i: EngineConfigInputs): string {
  const e = i.engine;
  const lines: string[] = [...engineConfigHeader(i.stack, "#"), "[global]"];
  const set = (key: string, value: string | number, why?: string) => {
    if (why) lines.push(`# ${why}`);
    lines.push(`${key}=${value}`);
  };
  // repo1: the bucket, this host's own path under postgres/ so two hosts never mix WAL histories.
  set("repo1-type", "s3");
  set("repo1-path", `/${i.s3RepositoryPath}`);
  set("repo1-s3-bucket", i.bucket);
  set("repo1-s3-region", i.region);
  if (e.endpoint) {
    set("repo1-s3-endpoint", e.endpoint.host, "Not AWS: TLS is still verified, against this CA.");
    set("repo1-storage-port", e.endpoint.port);
    set("repo1-storage-ca-file", e.endpoint.caFile);
    set("repo1-s3-uri-style", "path");
  } else {
    set("repo1-s3-endpoint", `s3.${i.region}.amazonaws.com`);
  }
  if (e.credentials === "static") {
    if (!i.staticCredentials)
      throw new Error("postgres.engine.credentials is 'static' but no credentials were given");
    set("repo1-s3-key-type", "shared");
    set("repo1-s3-key", i.staticCredentials.accessKeyId);
    set("repo1-s3-key-secret", i.staticCredentials.secretAccessKey);
    if (i.staticCredentials.sessionToken) set("repo1-s3-token", i.staticCredentials.sessionToken);
  } else {
    set("repo1-s3-key-type", "auto", "Credentials from the instance profile, rotated by AWS.");
  }
  if (i.kmsKeyArn)
    set("repo1-s3-kms-key-id", i.kmsKeyArn, "SSE-KMS with the stack's key, never aws/s3.");
  if (i.repositoryCipherPass !== undefined) {
    set(
      "repo1-cipher-type",
      PGBACKREST_CIPHER_TYPE,
      "Client-side encryption: every file leaves the host encrypted; the passphrase comes from SSM at setup.",
    );
    set("repo1-cipher-pass", i.repositoryCipherPass);
  }
  set(
    "repo1-retention-full-type",
    "time",
    "expire owns PostgreSQL retention: it keeps every full backup younger than this and the WAL it needs.",
  );
  set("repo1-retention-full", i.retentionDays.s3);
  set("repo1-bundle", "y", "Small files travel in bundles: far fewer S3 requests per backup.");
  const block = blockIncremental(i.engineVersion);
  if (block) set("repo1-block", "y", block);
  // repo2: the runbook's local copy, for a restore while S3 is unreachable.
  set("repo2-type", "posix");
  set("repo2-path", i.localRepositoryPath);
  set("repo2-retention-full-type", "time");
  set("repo2-retention-full", i.retentionDays.local);
  set("repo2-bundle", "y");
  if (block) set("repo2-block", "y");
  set(
    "archive-async",
    "y",
    "WAL is pushed in parallel from a local spool; archive_command returns as soon as it is queued.",
  );
  set("spool-path", e.spoolDir);
  set("log-path", e.logDir);
  set("lock-path", e.lockDir);
  set("process-max", i.processMax);
  set("compress-type", e.compression.type);
  set("compress-level", e.compression.level);
  set("log-level-console", "warn");
  set("log-level-file", "info");
  // pgBackRest reads `[global:restore]` for the restore command only (configuration reference,
  // "Section: Global" and command sections).
  lines.push("", "[global:restore]");
  set(
    "process-max",
    restoreProcessMax(i.processMax),
    "Restores wait on S3 more than on the CPU: twice the backup's processes (measured).",
  );
  lines.push("", `[${stanzaOf(e)}]`);
  set("pg1-path", i.pg.pgData);
  set("pg1-port", i.pg.port);
  set("pg1-socket-path", i.pg.socketDir);
  set("pg1-user", i.pg.user);
  return `${lines.join("\n")}\n`;
}

export const PGBACKREST: PostgresEngineDescriptor = {
  key: "pgbackrest",
  title: "pgBackRest",
  settings: {
    stanza: {
      pattern: /^[A-Za-z0-9_-]{1,63}$/,
      rule: "must be letters, digits, '_' or '-'",
      default: "main",
    },
  },
  s3Layout: {
    backups: "backup/<stanza>/",
    wal: "archive/<stanza>/",
    backupDataKey: "^backup/[^/]+/([^/]+)/(?:pg_data|bundle)/",
    walSegmentKey: "^archive/[^/]+/[^/]+/[0-9A-F]{16}/([0-9A-F]{24})-[0-9a-f]{40}(?:\\.\\w+)?$",
  },
  versions: { min: "2.45", maxExclusive: "3" },
  versionArgs: ["version"],
  parseVersion: (output) => /pgBackRest (\d+\.\d+(?:\.\d+)?)/.exec(output)?.[1],
  backupNamePattern: "^[0-9]{8}-[0-9]{6}F(_[0-9]{8}-[0-9]{6}[DI])?$",
  backupNameExample: "20261129-020000F",
  backupKinds: ["full", "differential", "incremental"],
  backsUpFromStandby: false,
  retentionCommand: "pgbackrest expire",
  compressionTypes: ["zst", "lz4", "gz", "bz2", "none"],
  // zst level 1, not 3 (pgBackRest's zst default): it still stores well under the bench's goal
  // for bytes stored and compresses faster, and compression is what bounds a backup's time on few
  // cores; lz4 was no faster and stores more (figures: docs/benchmarks.md).
  defaultCompression: { type: "zst", level: 1 },
  compressionLevels: { min: 0, max: 19 },
  defaultBinary: "/usr/bin/pgbackrest",
  configFile: { name: "postgres-engine.conf", render: renderConfig },
  readsOtherBucket: true,
  repositoryCipherType: PGBACKREST_CIPHER_TYPE,
  plaintextSecretPatterns: [
    { what: "a pgBackRest cipher passphrase", pattern: /repo\d+-cipher-pass\s*=\s*[^\s$]/ },
    {
      what: "a pgBackRest cipher passphrase",
      pattern: /PGBACKREST_REPO\d+_CIPHER_PASS\s*=\s*[^\s$"']/,
    },
    { what: "an AWS secret access key", pattern: /repo\d+-s3-key-secret\s*=\s*[^\s$]/i },
  ],
  unavailableHint:
    "install it with 'bash scripts/sandbox/install-tools.sh' (apt-get install pgbackrest)",
  archiveCommand: (e) => `${commandPrefix(e)} archive-push %p`,
  restoreCommand,
  installShell: () => [
    'if [ ! -x "$engine_bin" ]; then',
    "  if command -v apt-get >/dev/null 2>&1; then",
    "    DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbackrest || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbackrest; }",
    "  elif command -v dnf >/dev/null 2>&1; then dnf install -y pgbackrest",
    "  elif command -v yum >/dev/null 2>&1; then yum install -y pgbackrest",
    '  else echo "pgBackRest is missing and this host has no apt-get, dnf or yum: install the pgbackrest package" >&2; exit 1; fi',
    "fi",
  ],
};
