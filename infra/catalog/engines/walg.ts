/**
 * wal-g as the PostgreSQL engine: the runbook's own tool, for teams that keep their wal-g
 * repository. Not an operating-system package: a team installs the release binary (checked against
 * its published SHA-256) at `defaultBinary`. Facts from wal-g's PostgreSQL documentation
 * (https://wal-g.readthedocs.io/PostgreSQL/) for v3.0.x.
 */
import { stableJson } from "../stableJson";
import {
  engineConfigHeader,
  type EngineConfigInputs,
  type PostgresEngineDescriptor,
  type PostgresEngineHostConfig,
} from "./descriptor";

function commandPrefix(engine: PostgresEngineHostConfig): string {
  return `${engine.binary} --config ${engine.configFile}`;
}

/** wal-g reads its settings from a JSON file named by `--config`; keys are its environment names. */
function renderConfig(i: EngineConfigInputs): string {
  const e = i.engine;
  const settings: Record<string, string> = {
    WALG_S3_PREFIX: `s3://${i.bucket}/${i.s3RepositoryPath}`,
    AWS_REGION: i.region,
    WALG_COMPRESSION_METHOD: e.compression.type,
    WALG_UPLOAD_CONCURRENCY: String(i.processMax),
    WALG_DOWNLOAD_CONCURRENCY: String(i.processMax),
    PGDATA: i.pg.pgData,
    PGHOST: i.pg.socketDir,
    PGPORT: String(i.pg.port),
    PGUSER: i.pg.user,
  };
  if (i.kmsKeyArn) {
    settings.WALG_S3_SSE = "aws:kms";
    settings.WALG_S3_SSE_KMS_ID = i.kmsKeyArn;
  }
  if (e.endpoint) {
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
  // JSON has no comments: the header travels as a key wal-g ignores.
  return `${stableJson({ ...settings, _managed: engineConfigHeader(i.stack, "").join(" ").trim() })}\n`;
}

export const WALG: PostgresEngineDescriptor = {
  key: "wal-g",
  title: "wal-g",
  s3Layout: { backups: "basebackups_005/", wal: "wal_005/" },
  versions: { min: "3.0.0", maxExclusive: "3.1" },
  versionArgs: ["--version"],
  parseVersion: (output) => /v?(\d+\.\d+\.\d+)/.exec(output)?.[1],
  backupNamePattern: "^base_[0-9A-F]{24}(_D_[0-9A-F]{24})?$",
  backupNameExample: "base_000000010000000000000002",
  retentionCommand: "wal-g delete",
  compressionTypes: ["lz4", "zstd", "brotli", "lzma"],
  defaultCompression: { type: "lz4", level: 0 },
  compressionLevels: { min: 0, max: 0 },
  defaultBinary: "/usr/local/bin/wal-g",
  binaryEnv: "WALG_BINARY",
  unavailableHint:
    "wal-g is not an OS package and cannot be installed from this project's package registries: set WALG_BINARY to a wal-g v3.0.x binary",
  archiveCommand: (e) => `${commandPrefix(e)} wal-push %p`,
  // wal-g restores are not built here (its adapter refuses them); the plain command is what the
  // runbook's hand procedure uses.
  restoreCommand: (e) => `${commandPrefix(e)} wal-fetch %f %p`,
  renderConfig,
  installShell: () => [
    'if [ ! -x "$engine_bin" ]; then echo "wal-g is missing at $engine_bin: it is not an OS package; install the release binary checked against its SHA-256 (README: PostgreSQL engine)" >&2; exit 1; fi',
  ],
};
