/**
 * pgBackRest as an operator gets it out of the box: only what it needs to reach the repository
 * (bucket, endpoint, CA, credentials, the stack's KMS key) and to run in the sandbox (log and lock
 * paths); every tuning option at pgBackRest 2.45's default: compress-type gz level 6, process-max 1,
 * archive-async n, no bundling (https://pgbackrest.org/configuration.html).
 */
import { join } from "node:path";
import { POSTGRES_ENGINES } from "../../../../infra/catalog/engines";
import { engineInstallState } from "../../../lib/engines/engineProcess";
import { sandboxEngineBinary } from "../../engineBinary";
import { SANDBOX_AWS_ENV } from "../../moto";
import { ownedDir } from "../../owned";
import {
  REFERENCE_ARCHIVE_TIMEOUT_SECONDS,
  runAsClusterUser,
  writeOwnedFile,
  type BenchEngine,
  type BenchEngineContext,
  type SkippedEngine,
} from "./benchEngine";

const STANZA = "bench";
const HOUR_MS = 3_600_000;
export const STOCK_PGBACKREST_PREFIX = "bench/pgbackrest-stock";

/** The stock config: reach the repository, nothing else. */
export function stockPgbackrestConfig(context: BenchEngineContext): string {
  const { host, sandbox, root } = context;
  const front = sandbox.tlsFront;
  return [
    "[global]",
    "repo1-type=s3",
    `repo1-path=/${STOCK_PGBACKREST_PREFIX}`,
    `repo1-s3-bucket=${host.bucket}`,
    `repo1-s3-region=${host.region}`,
    `repo1-s3-endpoint=${front.host}`,
    `repo1-storage-port=${front.port}`,
    `repo1-storage-ca-file=${front.caFile}`,
    "repo1-s3-uri-style=path",
    "repo1-s3-key-type=shared",
    `repo1-s3-key=${SANDBOX_AWS_ENV.AWS_ACCESS_KEY_ID}`,
    `repo1-s3-key-secret=${SANDBOX_AWS_ENV.AWS_SECRET_ACCESS_KEY}`,
    `repo1-s3-token=${SANDBOX_AWS_ENV.AWS_SESSION_TOKEN}`,
    ...(host.kmsKeyArn ? [`repo1-s3-kms-key-id=${host.kmsKeyArn}`] : []),
    `log-path=${join(root, "log")}`,
    `lock-path=${join(root, "lock")}`,
    "log-level-console=warn",
    "",
    `[${STANZA}]`,
    `pg1-path=${host.postgres.pgData}`,
    `pg1-port=${host.postgres.connection.port}`,
    `pg1-socket-path=${host.postgres.socketDir}`,
    `pg1-user=${host.postgres.connection.user}`,
    "",
  ].join("\n");
}

export async function stockPgbackrestEngine(
  context: BenchEngineContext,
): Promise<BenchEngine | SkippedEngine> {
  const descriptor = POSTGRES_ENGINES.pgbackrest;
  const binary = sandboxEngineBinary("pgbackrest");
  const state = await engineInstallState(descriptor, binary);
  const title = `pgBackRest${state.installed ? ` ${state.version}` : ""}, stock settings`;
  if (!state.installed) return { key: "pgbackrest-stock", title, skipped: state.reason };
  const { host } = context;
  const configFile = join(context.root, "pgbackrest.conf");
  const prefix = [binary, `--config=${configFile}`, `--stanza=${STANZA}`];
  return {
    key: "pgbackrest-stock",
    title,
    settings: {
      compression: "gz level 6 (default)",
      "process count": "1 (default)",
      "archive-async": "n (default)",
      "repo1-bundle": "n (default)",
      archive_timeout: `${REFERENCE_ARCHIVE_TIMEOUT_SECONDS} s`,
    },
    archiveTimeoutSeconds: REFERENCE_ARCHIVE_TIMEOUT_SECONDS,
    repositoryPrefix: `${STOCK_PGBACKREST_PREFIX}/`,
    walPrefix: `${STOCK_PGBACKREST_PREFIX}/archive/${STANZA}/`,
    archiveCommand: `${prefix.join(" ")} archive-push %p`,
    async prepare() {
      for (const dir of ["log", "lock"])
        ownedDir(join(context.root, dir), host.postgres.engine.osUser);
      await writeOwnedFile(host, configFile, stockPgbackrestConfig(context));
      await runAsClusterUser(host, [...prefix, "stanza-create"], 10 * 60_000);
    },
    async backup() {
      await runAsClusterUser(
        host,
        [...prefix, "backup", "--type=full", "--start-fast=y"],
        12 * HOUR_MS,
      );
    },
    async restore(pgData) {
      await runAsClusterUser(
        host,
        [...prefix, "restore", `--pg1-path=${pgData}`, "--type=default"],
        12 * HOUR_MS,
      );
    },
  };
}
