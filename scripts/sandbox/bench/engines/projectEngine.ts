/**
 * This project's engine with the stack's shipped defaults, driven through the project's own engine
 * adapter (`engineFor`): the archive_command of the rendered postgresql.conf fragment, the
 * adapter's full backup into the S3 repository, and the adapter's restore of it to the end of the
 * archive; for the backup-plans group, the adapter's backups of each kind and its restore of one
 * named backup to that backup's consistency point. Also wal-g's row, through the same seam, when
 * `WALG_BINARY` names a binary.
 */
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { defaultProcessMax, type PostgresEngineKey } from "../../../../infra/catalog/engines";
import type { HostConfig } from "../../../../infra/catalog/hostConfig";
import { overrideHostConfig } from "../../../../infra/content/host/hostConfigFile";
import { engineFor, type EngineBackup, type RestoreTarget } from "../../../lib/engines";
import { s3RepositoryPath } from "../../../lib/engines/engineProcess";
import { backupTimeline } from "../../../lib/engines/walHistory";
import { hostIdOf } from "../../../lib/job/hostConfig";
import { engineUnavailableReason, sandboxEngineBinary } from "../../engineBinary";
import { setUpEngine, withoutUnbuiltEncryption } from "../../sandbox";
import type {
  BenchEngine,
  BenchEngineContext,
  BenchEngineKey,
  PlanEngine,
  SkippedEngine,
} from "./benchEngine";

/** Keys of the rendered pgBackRest config that bear on speed and size. */
const TUNING_KEYS = [
  "compress-type",
  "compress-level",
  "process-max",
  "archive-async",
  "archive-push-queue-max",
  "archive-get-queue-max",
  "repo1-bundle",
  "repo1-bundle-size",
  "repo1-block",
];

async function renderedTuning(configFile: string | undefined): Promise<Record<string, string>> {
  if (configFile === undefined) return {};
  const text = await readFile(configFile, "utf8").catch(() => "");
  const settings: Record<string, string> = {};
  // A command section (`[global:restore]`) overrides for that command only: shown with its name.
  let command = "";
  for (const line of text.split("\n")) {
    const section = /^\[[^:\]]+(?::([a-z-]+))?\]$/.exec(line.trim());
    if (section) command = section[1] ? `${section[1]} ` : "";
    const m = /^([a-z0-9-]+)=(.*)$/.exec(line.trim());
    if (m && TUNING_KEYS.includes(m[1])) settings[`${command}${m[1]}`] = m[2];
  }
  return settings;
}

function adapterEngine(
  key: BenchEngineKey,
  title: string,
  host: HostConfig,
  settings: Record<string, string | number>,
): BenchEngine {
  const hostId = hostIdOf(host);
  const adapter = engineFor(host, hostId);
  const { engine } = host.postgres;
  const repositoryPrefix = `${s3RepositoryPath(host, hostId)}/`;
  // The layout names the engine's own settings in angle brackets (`archive/<stanza>/`).
  const walFolder = adapter.descriptor.s3Layout.wal.replace(
    /<(\w+)>/g,
    (placeholder, name: string) => engine.settings[name] ?? placeholder,
  );
  /** A restore of `backup` from the S3 repository into `pgData`, archiving off, promoted. */
  const restoreInto = (
    backup: EngineBackup,
    target: RestoreTarget,
    pgData: string,
    scratchRoot: string,
  ) =>
    adapter.restore({
      source: { repository: "s3", host: hostId },
      backup: backup.name,
      target,
      timeline: backupTimeline(backup),
      pgData,
      delta: false,
      archiveOff: true,
      scratchRoot,
    });
  const plans: PlanEngine = {
    backup: (kind) => adapter.backup({ kind, repository: "s3", annotations: {}, startFast: true }),
    async restore(name, pgData, scratchRoot) {
      const backup = (await adapter.list("s3")).find((b) => b.name === name);
      if (!backup) throw new Error(`${title}: the S3 repository does not list backup ${name}`);
      await restoreInto(backup, { kind: "backup" }, pgData, scratchRoot);
    },
  };
  return {
    key,
    title,
    settings,
    archiveTimeoutSeconds: host.postgres.archiveTimeoutSeconds,
    repositoryPrefix,
    walPrefix: `${repositoryPrefix}${walFolder}`,
    archiveCommand: adapter.descriptor.archiveCommand(engine),
    prepare: () => setUpEngine(host),
    async backup() {
      await plans.backup("full");
    },
    async restore(pgData, scratchRoot) {
      const newest = (await adapter.list("s3")).at(-1);
      if (!newest) throw new Error(`${title}: the S3 repository lists no backup to restore`);
      await restoreInto(newest, { kind: "latest" }, pgData, scratchRoot);
    },
    plans,
  };
}

/** The sandbox host's own engine, exactly as the stack ships it. */
export async function projectEngine(context: BenchEngineContext): Promise<BenchEngine> {
  const { host } = context;
  const adapter = engineFor(host, hostIdOf(host));
  const version = await adapter.requireInstalled();
  const engine = host.postgres.engine;
  const settings = {
    ...(await renderedTuning(engine.configFile)),
    compression: `${engine.compression.type} level ${engine.compression.level}`,
    "process count": engine.processMax ?? defaultProcessMax(availableParallelism()),
    archive_timeout: `${host.postgres.archiveTimeoutSeconds} s`,
  };
  return adapterEngine(
    "project",
    `${adapter.descriptor.title} ${version}, shipped defaults`,
    host,
    settings,
  );
}

/**
 * wal-g through the project's adapter, in its own repository (`postgres/<hostId>-wal-g/`) with its
 * shipped defaults; skipped with the reason when no binary is installed.
 */
export async function walgEngine(
  context: BenchEngineContext,
): Promise<BenchEngine | SkippedEngine> {
  const kind: PostgresEngineKey = "wal-g";
  const reason = engineUnavailableReason(kind);
  if (reason) return { key: "wal-g", title: "wal-g", skipped: reason };
  const base = context.host;
  const host = withoutUnbuiltEncryption(
    overrideHostConfig(base, {
      hostId: `${hostIdOf(base)}-wal-g`,
      postgres: {
        engine: {
          kind,
          binary: sandboxEngineBinary(kind),
          configFile: join(context.root, "wal-g.json"),
          spoolDir: join(context.root, "spool"),
          logDir: join(context.root, "log"),
          lockDir: join(context.root, "lock"),
        },
      },
    }),
  );
  const adapter = engineFor(host, hostIdOf(host));
  const version = await adapter.requireInstalled();
  const engine = host.postgres.engine;
  return adapterEngine("wal-g", `wal-g ${version}, shipped defaults`, host, {
    compression: engine.compression.type,
    "process count": engine.processMax ?? defaultProcessMax(availableParallelism()),
    archive_timeout: `${host.postgres.archiveTimeoutSeconds} s`,
  });
}
