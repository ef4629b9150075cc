/**
 * Renders the host config file (infra/catalog/hostConfig.ts) from the validated stack config: the
 * one place where stack values become host paths, prefixes and service commands. Pure; the
 * sandbox passes overrides (endpoint, temp-dir paths, pg_ctl instead of systemctl).
 */
import { posix } from "node:path";
import { HOST_PATHS } from "../../catalog";
import {
  configFileEntry,
  defaultEngineSettings,
  POSTGRES_ENGINES,
  type PostgresEngineDescriptor,
} from "../../catalog/engines";
import type { StandbyBackupSource } from "../../catalog/backupFrom";
import { envelopeKeyAliasOf } from "../../catalog/clientSideEncryption";
import {
  HOST_CONFIG_SCHEMA_VERSION,
  catalogS3Prefixes,
  formatHostConfigProblems,
  parseHostConfig,
  type HostConfig,
  type PostgresEngineHostConfig,
  type ServiceControl,
} from "../../catalog/hostConfig";
import type { StackConfig } from "../../config/stackConfig";
import type { NamedDirectory } from "../../catalog/pathRules";
import { stableJson } from "../../catalog/stableJson";

/**
 * `archive_timeout`: a partly filled WAL segment is shipped after 10 s. The runbook's minute let a
 * lost primary take up to a minute of acknowledged writes with it; 10 s keeps the RPO under a
 * steady write load within the bench's goal of 15 s, where 60 s loses the load's whole span
 * (figures: docs/benchmarks.md). The cost: up to 6 forced segment switches a minute on a host
 * that writes, each a 16 MiB segment that compresses to a few KiB, one S3 PUT each (about 8,640 a
 * day at most, cents a month), and as many segments more to replay in a restore. PostgreSQL skips
 * the switch when nothing was written since the last one.
 */
export const DEFAULT_ARCHIVE_TIMEOUT_SECONDS = 10;
/** The runbook's health check warns above this disk usage. */
export const DEFAULT_MAX_DISK_USAGE_PERCENT = 80;

/** The port the hosts' PostgreSQL listens on (Debian's first cluster); the stack sets none. */
export const POSTGRES_PORT = 5432;
/**
 * Where Debian's PostgreSQL puts its Unix sockets. A standby on the same host uses it too: each
 * cluster's socket is named by its port (`.s.PGSQL.<port>`).
 */
export const POSTGRES_SOCKET_DIR = "/var/run/postgresql";

/** Every field optional at every depth; arrays are replaced whole, never merged. */
export type HostConfigOverrides = DeepPartial<HostConfig>;
type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { -readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export interface HostConfigInputs {
  readonly stack: string;
  readonly config: StackConfig;
  /** The bucket key's ARN once known (deploy time); without it uploads rely on bucket default encryption. */
  readonly kmsKeyArn?: string;
  readonly overrides?: HostConfigOverrides;
}

export function systemdService(unit: string): ServiceControl {
  return {
    start: ["systemctl", "start", unit],
    stop: ["systemctl", "stop", unit],
    restart: ["systemctl", "restart", unit],
    reload: ["systemctl", "reload", unit],
    status: ["systemctl", "is-active", "--quiet", unit],
  };
}

/** The PostgreSQL engine's spool on every host. */
const ENGINE_SPOOL_DIR = `${HOST_PATHS.spoolDir}/postgres-engine`;
/** Redis's data directory (Debian's redis-server package). */
const REDIS_DIR = "/var/lib/redis";

/**
 * The directories the jobs write that the stack config does not set, named for messages: the
 * stack config keeps `pgData` and `localBackupRoot` out of them (infra/catalog/pathRules.ts).
 */
export const FIXED_DATA_DIRECTORIES: readonly NamedDirectory[] = [
  { key: "the PostgreSQL engine's spool", path: ENGINE_SPOOL_DIR },
  { key: "Redis's data directory", path: REDIS_DIR },
  { key: "the jobs' state directory", path: HOST_PATHS.stateDir },
];

/** What an engine owns of its host config section, at its defaults, its config file in `configDir`. */
function engineOwnDefaults(
  engine: PostgresEngineDescriptor,
  configDir: string,
): Pick<PostgresEngineHostConfig, "binary" | "configFile" | "settings" | "compression"> {
  return {
    binary: engine.defaultBinary,
    ...configFileEntry(engine, configDir),
    settings: defaultEngineSettings(engine),
    compression: engine.defaultCompression,
  };
}

/** The stack's PostgreSQL engine as a host runs it (Debian layout; the OS user owns PGDATA). */
export function defaultEngine(config: StackConfig): PostgresEngineHostConfig {
  return {
    kind: config.postgresEngine,
    ...engineOwnDefaults(POSTGRES_ENGINES[config.postgresEngine], HOST_PATHS.configDir),
    osUser: "postgres",
    spoolDir: ENGINE_SPOOL_DIR,
    logDir: `${HOST_PATHS.logDir}/postgres-engine`,
    lockDir: `${HOST_PATHS.spoolDir}/postgres-engine/lock`,
    credentials: "instance-role",
  };
}

/**
 * `postgres.backupFrom` for a stack that backs up from a standby (`postgresBackupFrom`); none for
 * one that reads the primary. The standby shares the primary's socket directory (`socketDir`).
 */
function standbySourceEntry(
  config: StackConfig,
  socketDir: string,
): { backupFrom?: StandbyBackupSource } {
  const from = config.postgresBackupFrom;
  if (from.source === "primary") return {};
  return {
    backupFrom: {
      standby: { ...from.standby, socketDir },
      maxReplayLagMb: from.maxReplayLagMb,
      whenStandbyUnavailable: from.whenStandbyUnavailable,
    },
  };
}

/** The production host layout (Debian/Ubuntu packages, cluster `main`), before overrides. */
export function defaultHostConfig(
  stack: string,
  config: StackConfig,
  kmsKeyArn?: string,
): HostConfig {
  const pg = config.pgMajorVersion;
  const pgConfDir = `/etc/postgresql/${pg}/main`;
  const pgUnit = `postgresql@${pg}-main`;
  return {
    schemaVersion: HOST_CONFIG_SCHEMA_VERSION,
    stack,
    region: config.region,
    bucket: config.bucketName,
    ...(config.replication
      ? { replica: { bucket: config.replication.bucketName, region: config.replication.region } }
      : {}),
    ...(kmsKeyArn !== undefined ? { kmsKeyArn } : {}),
    metricNamespace: config.metricNamespace,
    s3Prefixes: catalogS3Prefixes(),
    retentionDays: { ...config.retentionDays },
    local: {
      root: config.localBackupRoot,
      retentionDays: {
        postgres: config.retentionDays.postgres,
        configs: config.retentionDays.configs,
        redis: config.retentionDays.redis,
      },
      maxDiskUsagePercent: DEFAULT_MAX_DISK_USAGE_PERCENT,
    },
    postgres: {
      majorVersion: pg,
      binDir: `/usr/lib/postgresql/${pg}/bin`,
      pgData: config.pgData,
      // Debian's postgresql.conf reads `include_dir = 'conf.d'`: the fragment needs no edit of it.
      managedConfigFile: `${pgConfDir}/conf.d/stellar-insights-backup.conf`,
      connection: {
        host: POSTGRES_SOCKET_DIR,
        port: POSTGRES_PORT,
        user: "postgres",
        database: "postgres",
      },
      databases: ["stellar_insights"],
      check: { database: "stellar_insights", tables: ["anchors", "corridors"] },
      socketDir: POSTGRES_SOCKET_DIR,
      engine: defaultEngine(config),
      backupPlan: config.postgresBackupPlan,
      ...standbySourceEntry(config, POSTGRES_SOCKET_DIR),
      archiveTimeoutSeconds: DEFAULT_ARCHIVE_TIMEOUT_SECONDS,
      service: systemdService(pgUnit),
    },
    redis: {
      host: "127.0.0.1",
      port: 6379,
      dir: REDIS_DIR,
      dbfilename: "dump.rdb",
      appendonly: false,
      // redis.conf ends with `include` of this file, so its settings win.
      managedConfigFile: "/etc/redis/stellar-insights-backup.conf",
      owner: { user: "redis", group: "redis" },
      // Redis has no reload: its settings apply at start (or through CONFIG SET).
      service: {
        ...systemdService("redis-server"),
        reload: ["systemctl", "restart", "redis-server"],
      },
    },
    configSets: {
      app: {
        paths: [
          "/opt/stellar-insights/backend/.env",
          "/opt/stellar-insights/frontend/.env.local",
          "/etc/nginx/sites-available/stellar-insights",
        ],
        restart: [
          ["systemctl", "restart", "stellar-insights-backend"],
          // The runbook restarts nginx; a checked reload keeps the site up if the file is bad.
          ["nginx", "-t"],
          ["systemctl", "reload", "nginx"],
        ],
      },
      db: {
        paths: [
          `${pgConfDir}/postgresql.conf`,
          `${pgConfDir}/pg_hba.conf`,
          "/etc/redis/redis.conf",
        ],
        restart: [
          ["systemctl", "restart", pgUnit],
          ["systemctl", "restart", "redis-server"],
        ],
      },
    },
    logs: {
      paths: [
        "/var/log/stellar-insights/*.log*",
        "/var/log/nginx/*.log*",
        `/var/log/postgresql/postgresql-${pg}-main.log*`,
        "/var/log/redis/*.log*",
      ],
    },
    paths: { stateDir: HOST_PATHS.stateDir, lockDir: HOST_PATHS.lockDir },
    ...(config.clientSideEncryption.enabled
      ? {
          clientSideEncryption: {
            kmsKeyAlias: envelopeKeyAliasOf(config.bucketName),
            cipherPassParameter: config.clientSideEncryption.cipherPassParameter,
          },
        }
      : {}),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars replace. */
export function mergeOverrides<T>(base: T, overrides: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(overrides))
    return (overrides === undefined ? base : overrides) as T;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    merged[key] = key in base ? mergeOverrides(base[key], value) : value;
  }
  return merged as T;
}

/**
 * `base` ready for `overrides` that switch its PostgreSQL engine to another kind: the parts of its
 * engine section the engine owns (its binary, config file, own settings and compression) become
 * the new engine's defaults, the config file in the same directory; the rest (OS user, spool, logs,
 * locks, endpoint, credentials) stays. Merged key by key instead, the old engine's would outlive
 * the switch, and the new engine refuses what it does not know.
 */
function readyForEngineSwitch(
  base: HostConfig,
  overrides: HostConfigOverrides | undefined,
): HostConfig {
  const kind = overrides?.postgres?.engine?.kind;
  if (kind === undefined || kind === base.postgres.engine.kind) return base;
  const next = POSTGRES_ENGINES[kind];
  const {
    binary: _binary,
    configFile,
    settings: _settings,
    compression: _compression,
    ...neutral
  } = base.postgres.engine;
  const dir = configFile === undefined ? HOST_PATHS.configDir : posix.dirname(configFile);
  return {
    ...base,
    postgres: {
      ...base.postgres,
      engine: { ...neutral, kind, ...engineOwnDefaults(next, dir) },
    },
  };
}

/** `base` with `overrides` applied, checked against the contract (a bad override fails here, not on a host). */
export function overrideHostConfig(
  base: HostConfig,
  overrides: HostConfigOverrides | undefined,
): HostConfig {
  const parsed = parseHostConfig(mergeOverrides(readyForEngineSwitch(base, overrides), overrides));
  if (!parsed.ok)
    throw new Error(formatHostConfigProblems(`for stack '${base.stack}'`, parsed.problems));
  return parsed.config;
}

export function renderHostConfig(inputs: HostConfigInputs): HostConfig {
  return overrideHostConfig(
    defaultHostConfig(inputs.stack, inputs.config, inputs.kmsKeyArn),
    inputs.overrides,
  );
}

/** Bytes of a host config file: key-sorted JSON and a final newline, so equal configs are equal files. */
export function serializeHostConfig(config: HostConfig): string {
  return `${stableJson(config)}\n`;
}

/** The host config file the stack ships for `inputs`. */
export function hostConfigFile(inputs: HostConfigInputs): string {
  return serializeHostConfig(renderHostConfig(inputs));
}
