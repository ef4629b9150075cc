/**
 * The one host config file every host job reads (`STELLAR_BACKUP_CONFIG`, default
 * `HOST_PATHS.configFile`). The stack generates it (infra/content/host/hostConfigFile.ts); the sandbox
 * generates it with its own endpoint, paths and service control. It holds no secrets: hosts get
 * AWS credentials from their instance role and PostgreSQL passwords (if any) from `~/.pgpass`.
 *
 * Pure module: no Pulumi import, so host jobs can bundle it. `parseHostConfig` checks a file
 * against this contract and reports every problem at once with its JSON path.
 */
import { BACKUP_TYPE_KEYS, type BackupTypeKey } from "./backupTypes";

export const HOST_CONFIG_SCHEMA_VERSION = 1;

/** A command as an argument vector: run without a shell, so no value is ever re-parsed. */
export type Argv = readonly string[];

/** How a job starts, stops and checks a service (prod: systemctl; sandbox: pg_ctl, redis-cli). */
export interface ServiceControl {
  readonly start: Argv;
  readonly stop: Argv;
  readonly restart: Argv;
  readonly reload: Argv;
  /** Exits 0 while the service is up and answering. */
  readonly status: Argv;
}

/** Catalog rows with an S3 prefix. */
export const S3_BACKUP_TYPE_KEYS = ["postgres", "wal", "configs", "logs", "redis"] as const;
export type S3BackupTypeKey = (typeof S3_BACKUP_TYPE_KEYS)[number];

/** Rows the jobs keep a local copy of under `local.root/<row>/`. */
export const LOCAL_COPY_KEYS = ["postgres", "configs", "redis"] as const;
export type LocalCopyKey = (typeof LOCAL_COPY_KEYS)[number];

export interface PostgresHostConfig {
  readonly majorVersion: number;
  /** Directory of initdb, pg_ctl, postgres of that major version. */
  readonly binDir: string;
  readonly pgData: string;
  /** Where the installer puts the rendered postgresql.conf fragment (an `include_dir` file). */
  readonly managedConfigFile: string;
  /** `host` may be a Unix socket directory. The password, if any, comes from `~/.pgpass`. */
  readonly connection: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly database: string;
  };
  /** The application databases on this cluster. */
  readonly databases: readonly string[];
  /** What the restore test and the runbook count: tables in one database. */
  readonly check: { readonly database: string; readonly tables: readonly string[] };
  readonly walg: { readonly binary: string; readonly configFile: string };
  /** Seconds after which PostgreSQL archives a partly filled WAL segment. */
  readonly archiveTimeoutSeconds: number;
  readonly service: ServiceControl;
}

export interface RedisHostConfig {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly dbfilename: string;
  /** Whether the rendered fragment turns the append-only file on. */
  readonly appendonly: boolean;
  /** Where the installer puts the rendered redis.conf fragment (included last by redis.conf). */
  readonly managedConfigFile: string;
  /** Owner a restored dump must have so Redis can read and replace it. */
  readonly owner: { readonly user: string; readonly group: string };
  readonly service: ServiceControl;
}

/** Files backed up and restored together, and what makes their services read them again. */
export interface ConfigSet {
  readonly paths: readonly string[];
  /** Run in order after a confirmed restore; the first failure stops the rest. */
  readonly restart: readonly Argv[];
}

export interface HostConfig {
  readonly schemaVersion: typeof HOST_CONFIG_SCHEMA_VERSION;
  readonly stack: string;
  readonly region: string;
  readonly bucket: string;
  /** Only for the sandbox (moto). Real hosts use the regional AWS endpoints. */
  readonly awsEndpointUrl?: string;
  /** The bucket's KMS key: uploads name it explicitly so S3 never falls back to `aws/s3`. */
  readonly kmsKeyArn?: string;
  readonly metricNamespace: string;
  /** Names this host in S3 keys; the jobs use `os.hostname()` when absent. */
  readonly hostId?: string;
  readonly s3Prefixes: Readonly<Record<S3BackupTypeKey, string>>;
  readonly retentionDays: Readonly<Record<BackupTypeKey, number>>;
  readonly local: {
    readonly root: string;
    readonly retentionDays: Readonly<Record<LocalCopyKey, number>>;
    /** A job refuses to write a local copy when the file system is fuller than this. */
    readonly maxDiskUsagePercent: number;
  };
  readonly postgres: PostgresHostConfig;
  readonly redis: RedisHostConfig;
  readonly configSets: Readonly<Record<string, ConfigSet>>;
  /** Globs (`*` and `?` within a path segment) of the log files logs-ship uploads. */
  readonly logs: { readonly paths: readonly string[] };
  readonly paths: { readonly stateDir: string; readonly lockDir: string };
}

export interface HostConfigProblem {
  /** JSON path such as `postgres.connection.port`. */
  readonly path: string;
  readonly message: string;
}

export type HostConfigResult =
  | { readonly ok: true; readonly config: HostConfig }
  | { readonly ok: false; readonly problems: readonly HostConfigProblem[] };

export const HOST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const CONFIG_SET_KEY_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
/** Paths end up in argv and S3 keys: no `..`, whitespace, quotes or shell metacharacters. */
const SAFE_ABSOLUTE_PATH = /^\/[A-Za-z0-9._@+=:,/-]*$/;
const SAFE_GLOB = /^\/[A-Za-z0-9._@+=:,/*?-]*$/;
const PREFIX_PATTERN = /^[a-z0-9][a-z0-9_-]*\/$/;

type Json = Record<string, unknown>;

/** Walks an unknown value, collecting every problem with its path instead of stopping at the first. */
class Reader {
  readonly problems: HostConfigProblem[] = [];

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Stand-ins for absent sections: their parent already said "is missing", so their fields stay quiet. */
  private readonly absent = new WeakSet<Json>();

  object(value: unknown, path: string): Json {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Json;
    const standIn: Json = {};
    if (value === undefined) this.absent.add(standIn);
    else this.problem(path, `must be an object, got ${describe(value)}`);
    return standIn;
  }

  exactKeys(
    obj: Json,
    path: string,
    required: readonly string[],
    optional: readonly string[] = [],
  ): void {
    if (this.absent.has(obj)) return;
    for (const key of required) {
      if (!(key in obj)) this.problem(join(path, key), "is missing");
    }
    for (const key of Object.keys(obj)) {
      if (!required.includes(key) && !optional.includes(key)) {
        this.problem(
          join(path, key),
          `is not a known field; allowed: ${[...required, ...optional].join(", ")}`,
        );
      }
    }
  }

  string(value: unknown, path: string, pattern?: RegExp, hint?: string): string {
    if (typeof value !== "string" || value === "") {
      if (value !== undefined)
        this.problem(path, `must be a non-empty string, got ${describe(value)}`);
      return "";
    }
    if (pattern && !pattern.test(value))
      this.problem(path, `${JSON.stringify(value)} ${hint ?? `must match ${pattern}`}`);
    return value;
  }

  absolutePath(value: unknown, path: string): string {
    const text = this.string(
      value,
      path,
      SAFE_ABSOLUTE_PATH,
      "must be an absolute path without spaces, quotes or shell metacharacters",
    );
    if (text.split("/").includes(".."))
      this.problem(path, `${JSON.stringify(text)} must not contain '..'`);
    return text;
  }

  integer(value: unknown, path: string, min: number, max: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      if (value !== undefined)
        this.problem(path, `must be a whole number from ${min} to ${max}, got ${describe(value)}`);
      return min;
    }
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== "boolean") {
      if (value !== undefined) this.problem(path, `must be true or false, got ${describe(value)}`);
      return false;
    }
    return value;
  }

  array<T>(
    value: unknown,
    path: string,
    item: (v: unknown, p: string) => T,
    allowEmpty = false,
  ): T[] {
    if (!Array.isArray(value)) {
      if (value !== undefined) this.problem(path, `must be a list, got ${describe(value)}`);
      return [];
    }
    if (!allowEmpty && value.length === 0) this.problem(path, "must not be empty");
    return value.map((v, i) => item(v, `${path}[${i}]`));
  }

  argv(value: unknown, path: string): Argv {
    const argv = this.array(value, path, (v, p) => this.string(v, p));
    if (argv.length > 0 && !argv[0].startsWith("/") && !/^[A-Za-z0-9._-]+$/.test(argv[0])) {
      this.problem(
        `${path}[0]`,
        `${JSON.stringify(argv[0])} must be a program name or an absolute path`,
      );
    }
    return argv;
  }

  service(value: unknown, path: string): ServiceControl {
    const obj = this.object(value, path);
    const keys = ["start", "stop", "restart", "reload", "status"] as const;
    this.exactKeys(obj, path, keys);
    return {
      start: this.argv(obj.start, `${path}.start`),
      stop: this.argv(obj.stop, `${path}.stop`),
      restart: this.argv(obj.restart, `${path}.restart`),
      reload: this.argv(obj.reload, `${path}.reload`),
      status: this.argv(obj.status, `${path}.status`),
    };
  }

  days(value: unknown, path: string): number {
    return this.integer(value, path, 1, 36500);
  }
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : JSON.stringify(value);
}

function readPostgres(r: Reader, value: unknown): PostgresHostConfig {
  const path = "postgres";
  const pg = r.object(value, path);
  r.exactKeys(pg, path, [
    "majorVersion",
    "binDir",
    "pgData",
    "managedConfigFile",
    "connection",
    "databases",
    "check",
    "walg",
    "archiveTimeoutSeconds",
    "service",
  ]);
  const connection = r.object(pg.connection, `${path}.connection`);
  r.exactKeys(connection, `${path}.connection`, ["host", "port", "user", "database"]);
  const check = r.object(pg.check, `${path}.check`);
  r.exactKeys(check, `${path}.check`, ["database", "tables"]);
  const walg = r.object(pg.walg, `${path}.walg`);
  r.exactKeys(walg, `${path}.walg`, ["binary", "configFile"]);
  const identifier = /^[a-z_][a-z0-9_]{0,62}$/;
  const identifierHint = "must be a lower-case SQL identifier";
  return {
    majorVersion: r.integer(pg.majorVersion, `${path}.majorVersion`, 12, 99),
    binDir: r.absolutePath(pg.binDir, `${path}.binDir`),
    pgData: r.absolutePath(pg.pgData, `${path}.pgData`),
    managedConfigFile: r.absolutePath(pg.managedConfigFile, `${path}.managedConfigFile`),
    connection: {
      host: r.string(
        connection.host,
        `${path}.connection.host`,
        /^[A-Za-z0-9./_-]+$/,
        "must be a host name, IP address or socket directory",
      ),
      port: r.integer(connection.port, `${path}.connection.port`, 1, 65535),
      user: r.string(connection.user, `${path}.connection.user`, identifier, identifierHint),
      database: r.string(
        connection.database,
        `${path}.connection.database`,
        identifier,
        identifierHint,
      ),
    },
    databases: r.array(pg.databases, `${path}.databases`, (v, p) =>
      r.string(v, p, identifier, identifierHint),
    ),
    check: {
      database: r.string(check.database, `${path}.check.database`, identifier, identifierHint),
      tables: r.array(check.tables, `${path}.check.tables`, (v, p) =>
        r.string(v, p, identifier, identifierHint),
      ),
    },
    walg: {
      binary: r.absolutePath(walg.binary, `${path}.walg.binary`),
      configFile: r.absolutePath(walg.configFile, `${path}.walg.configFile`),
    },
    archiveTimeoutSeconds: r.integer(
      pg.archiveTimeoutSeconds,
      `${path}.archiveTimeoutSeconds`,
      1,
      3600,
    ),
    service: r.service(pg.service, `${path}.service`),
  };
}

function readRedis(r: Reader, value: unknown): RedisHostConfig {
  const path = "redis";
  const redis = r.object(value, path);
  r.exactKeys(redis, path, [
    "host",
    "port",
    "dir",
    "dbfilename",
    "appendonly",
    "managedConfigFile",
    "owner",
    "service",
  ]);
  const owner = r.object(redis.owner, `${path}.owner`);
  r.exactKeys(owner, `${path}.owner`, ["user", "group"]);
  const account = /^[a-z_][a-z0-9_-]{0,31}$/;
  return {
    host: r.string(
      redis.host,
      `${path}.host`,
      /^[A-Za-z0-9.:-]+$/,
      "must be a host name or IP address",
    ),
    port: r.integer(redis.port, `${path}.port`, 1, 65535),
    dir: r.absolutePath(redis.dir, `${path}.dir`),
    dbfilename: r.string(
      redis.dbfilename,
      `${path}.dbfilename`,
      /^[A-Za-z0-9._-]+\.rdb$/,
      "must be a file name ending in .rdb",
    ),
    appendonly: r.boolean(redis.appendonly, `${path}.appendonly`),
    managedConfigFile: r.absolutePath(redis.managedConfigFile, `${path}.managedConfigFile`),
    owner: {
      user: r.string(owner.user, `${path}.owner.user`, account, "must be a system user name"),
      group: r.string(owner.group, `${path}.owner.group`, account, "must be a system group name"),
    },
    service: r.service(redis.service, `${path}.service`),
  };
}

function readConfigSets(r: Reader, value: unknown): Record<string, ConfigSet> {
  const sets = r.object(value, "configSets");
  if (value !== undefined && Object.keys(sets).length === 0)
    r.problem("configSets", "must name at least one set of files");
  const result: Record<string, ConfigSet> = {};
  for (const [key, raw] of Object.entries(sets)) {
    const path = `configSets.${key}`;
    if (!CONFIG_SET_KEY_PATTERN.test(key))
      r.problem(
        path,
        "set names must be lower-case letters, digits and '-' (they become S3 key parts)",
      );
    const set = r.object(raw, path);
    r.exactKeys(set, path, ["paths", "restart"]);
    const paths = r.array(set.paths, `${path}.paths`, (v, p) => r.absolutePath(v, p));
    if (new Set(paths).size !== paths.length) r.problem(`${path}.paths`, "lists a file twice");
    result[key] = {
      paths,
      restart: r.array(set.restart, `${path}.restart`, (v, p) => r.argv(v, p), true),
    };
  }
  return result;
}

function readRowMap<K extends string>(
  r: Reader,
  value: unknown,
  path: string,
  keys: readonly K[],
  item: (v: unknown, p: string) => unknown,
): Record<K, never> {
  const obj = r.object(value, path);
  r.exactKeys(obj, path, keys);
  return Object.fromEntries(keys.map((k) => [k, item(obj[k], `${path}.${k}`)])) as Record<K, never>;
}

/** Checks parsed JSON against the contract; every problem is reported with its path. */
export function parseHostConfig(value: unknown): HostConfigResult {
  const r = new Reader();
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {
      ok: false,
      problems: [{ path: "(file)", message: `must be a JSON object, got ${describe(value)}` }],
    };
  }
  const root = value as Json;
  r.exactKeys(
    root,
    "",
    [
      "schemaVersion",
      "stack",
      "region",
      "bucket",
      "metricNamespace",
      "s3Prefixes",
      "retentionDays",
      "local",
      "postgres",
      "redis",
      "configSets",
      "logs",
      "paths",
    ],
    ["awsEndpointUrl", "kmsKeyArn", "hostId"],
  );
  if (root.schemaVersion !== undefined && root.schemaVersion !== HOST_CONFIG_SCHEMA_VERSION) {
    r.problem(
      "schemaVersion",
      `must be ${HOST_CONFIG_SCHEMA_VERSION}, got ${describe(root.schemaVersion)}: install the jobs and host config of the same release`,
    );
  }
  const local = r.object(root.local, "local");
  r.exactKeys(local, "local", ["root", "retentionDays", "maxDiskUsagePercent"]);
  const logs = r.object(root.logs, "logs");
  r.exactKeys(logs, "logs", ["paths"]);
  const paths = r.object(root.paths, "paths");
  r.exactKeys(paths, "paths", ["stateDir", "lockDir"]);
  let awsEndpointUrl: string | undefined;
  if (root.awsEndpointUrl !== undefined) {
    awsEndpointUrl = r.string(
      root.awsEndpointUrl,
      "awsEndpointUrl",
      /^https?:\/\/[A-Za-z0-9.:[\]-]+\/?$/,
      "must be an http(s)://host:port URL",
    );
  }
  const config: HostConfig = {
    schemaVersion: HOST_CONFIG_SCHEMA_VERSION,
    stack: r.string(root.stack, "stack", /^[A-Za-z0-9._-]+$/, "must be a Pulumi stack name"),
    region: r.string(
      root.region,
      "region",
      /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/,
      "must be an AWS region such as us-east-1",
    ),
    bucket: r.string(
      root.bucket,
      "bucket",
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      "must be an S3 bucket name",
    ),
    ...(awsEndpointUrl !== undefined ? { awsEndpointUrl } : {}),
    ...(root.kmsKeyArn !== undefined
      ? {
          kmsKeyArn: r.string(
            root.kmsKeyArn,
            "kmsKeyArn",
            /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,
            "must be a KMS key ARN",
          ),
        }
      : {}),
    metricNamespace: r.string(
      root.metricNamespace,
      "metricNamespace",
      /^[A-Za-z0-9._/#:-]{1,255}$/,
      "must be a CloudWatch namespace",
    ),
    ...(root.hostId !== undefined
      ? {
          hostId: r.string(
            root.hostId,
            "hostId",
            HOST_ID_PATTERN,
            "must be letters, digits, '.', '_' or '-' (it becomes part of S3 keys)",
          ),
        }
      : {}),
    s3Prefixes: readRowMap(r, root.s3Prefixes, "s3Prefixes", S3_BACKUP_TYPE_KEYS, (v, p) =>
      r.string(v, p, PREFIX_PATTERN, "must be one lower-case path segment ending in '/'"),
    ),
    retentionDays: readRowMap(r, root.retentionDays, "retentionDays", BACKUP_TYPE_KEYS, (v, p) =>
      r.days(v, p),
    ),
    local: {
      root: r.absolutePath(local.root, "local.root"),
      retentionDays: readRowMap(
        r,
        local.retentionDays,
        "local.retentionDays",
        LOCAL_COPY_KEYS,
        (v, p) => r.days(v, p),
      ),
      maxDiskUsagePercent: r.integer(
        local.maxDiskUsagePercent,
        "local.maxDiskUsagePercent",
        1,
        100,
      ),
    },
    postgres: readPostgres(r, root.postgres),
    redis: readRedis(r, root.redis),
    configSets: readConfigSets(r, root.configSets),
    logs: {
      paths: r.array(logs.paths, "logs.paths", (v, p) => {
        const glob = r.string(
          v,
          p,
          SAFE_GLOB,
          "must be an absolute path or glob ('*', '?') without spaces or shell metacharacters",
        );
        if (glob.split("/").includes(".."))
          r.problem(p, `${JSON.stringify(glob)} must not contain '..'`);
        return glob;
      }),
    },
    paths: {
      stateDir: r.absolutePath(paths.stateDir, "paths.stateDir"),
      lockDir: r.absolutePath(paths.lockDir, "paths.lockDir"),
    },
  };
  return r.problems.length > 0 ? { ok: false, problems: r.problems } : { ok: true, config };
}

export function formatHostConfigProblems(
  source: string,
  problems: readonly HostConfigProblem[],
): string {
  return [
    `host config ${source} has ${problems.length} problem(s):`,
    ...problems.map((p) => `  - ${p.path}: ${p.message}`),
  ].join("\n");
}
