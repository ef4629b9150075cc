/**
 * barman-cloud (the engine of the CloudNativePG operator) with its stock settings: no compression,
 * one upload at a time as it defaults to; only what it needs to reach the repository (endpoint,
 * the TLS front's CA through AWS_CA_BUNDLE, credentials, the stack's KMS key). Installed for the
 * bench from PyPI by `ensureBarmanCloud` (barmanInstall.ts). Commands and options: Barman 3.19
 * manual, "Barman client utilities for the cloud".
 */
import { appendFile, chown, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { account } from "../../../lib/job/accounts";
import { ensureBarmanCloud } from "./barmanInstall";
import {
  REFERENCE_ARCHIVE_TIMEOUT_SECONDS,
  runAsClusterUser,
  s3ToolEnv,
  withEnv,
  type BenchEngine,
  type BenchEngineContext,
  type SkippedEngine,
} from "./benchEngine";

const SERVER = "bench";
const HOUR_MS = 3_600_000;
export const BARMAN_PREFIX = "bench/barman-cloud";

export async function barmanCloudEngine(
  context: BenchEngineContext,
  progress: (message: string) => void,
): Promise<BenchEngine | SkippedEngine> {
  const installed = await ensureBarmanCloud(progress).catch((error: Error) => error);
  if (installed instanceof Error)
    return { key: "barman-cloud", title: "barman-cloud", skipped: installed.message };
  const { host, sandbox } = context;
  const tool = (name: string) => join(installed.binDir, name);
  const source = `s3://${host.bucket}/${BARMAN_PREFIX}`;
  const reach = [
    "--cloud-provider=aws-s3",
    `--endpoint-url=${sandbox.tlsFront.url}`,
    ...(host.kmsKeyArn ? ["--encryption=aws:kms", `--sse-kms-key-id=${host.kmsKeyArn}`] : []),
  ];
  const env = s3ToolEnv(context);
  const archive = withEnv(env, [tool("barman-cloud-wal-archive"), ...reach, source, SERVER, "%p"]);
  const restoreWal = withEnv(env, [
    tool("barman-cloud-wal-restore"),
    `--cloud-provider=aws-s3`,
    `--endpoint-url=${sandbox.tlsFront.url}`,
    source,
    SERVER,
    "%f",
    "%p",
  ]);
  const c = host.postgres.connection;
  return {
    key: "barman-cloud",
    title: `barman-cloud ${installed.version}, stock settings`,
    settings: {
      compression: "none (default)",
      "process count": "default",
      archive_timeout: `${REFERENCE_ARCHIVE_TIMEOUT_SECONDS} s`,
    },
    archiveTimeoutSeconds: REFERENCE_ARCHIVE_TIMEOUT_SECONDS,
    repositoryPrefix: `${BARMAN_PREFIX}/`,
    walPrefix: `${BARMAN_PREFIX}/${SERVER}/wals/`,
    archiveCommand: archive.join(" "),
    prepare: async () => undefined,
    async backup() {
      await runAsClusterUser(
        host,
        withEnv(env, [
          tool("barman-cloud-backup"),
          ...reach,
          "--immediate-checkpoint",
          `--host=${c.host}`,
          `--port=${c.port}`,
          `--user=${c.user}`,
          source,
          SERVER,
        ]),
        12 * HOUR_MS,
      );
    },
    async restore(pgData) {
      await runAsClusterUser(
        host,
        withEnv(env, [
          tool("barman-cloud-restore"),
          "--cloud-provider=aws-s3",
          `--endpoint-url=${sandbox.tlsFront.url}`,
          source,
          SERVER,
          "latest",
          pgData,
        ]),
        12 * HOUR_MS,
      );
      // barman-cloud-restore copies the files only: recovery is PostgreSQL 12+'s signal file and
      // a restore_command that fetches from the same archive.
      const owner = account(host.postgres.engine.osUser);
      const signal = join(pgData, "recovery.signal");
      await writeFile(signal, "");
      await chown(signal, owner.uid, owner.gid);
      await appendFile(
        join(pgData, "postgresql.auto.conf"),
        `\nrestore_command = '${restoreWal.join(" ")}'\n`,
      );
    },
  };
}
