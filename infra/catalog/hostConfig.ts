/**
 * The one host config file every host job reads (`STELLAR_BACKUP_CONFIG`, default
 * `HOST_PATHS.configFile`). The stack generates it (infra/content/host/hostConfigFile.ts); the sandbox
 * generates it with its own endpoint, paths and service control. It holds no secrets: hosts get
 * AWS credentials from their instance role and PostgreSQL passwords (if any) from `~/.pgpass`.
 *
 * Pure module: no Pulumi import, so host jobs can bundle it. `parseHostConfig` checks a file
 * against this contract and reports every problem at once with its JSON path.
 */
import * as v from "valibot";
import { MAX_REPLAY_LAG_MB, STANDBY_FALLBACKS } from "./backupFrom";
import { BETWEEN_FULLS_KINDS } from "./backupPlan";
import { BACKUP_TYPE_KEYS, BACKUP_TYPES } from "./backupTypes";
import { SSM_PARAMETER_NAME_PATTERN, SSM_PARAMETER_NAME_RULE } from "./clientSideEncryption";
import { POSTGRES_ENGINE_KEYS, POSTGRES_ENGINES } from "./engines";
import type { DeepReadonly } from "./schema/deepReadonly";
import {
  days,
  describe,
  exactObject,
  flag,
  keyedMap,
  list,
  noParentSegments,
  rowMap,
  text,
  wholeNumber,
} from "./schema/parts";
import { ROOT_PATH, schemaProblems, type SchemaProblem } from "./schema/problems";
import { showValue } from "./schema/shownValue";
import {
  CANONICAL_PATH_RULE,
  isCanonicalPath,
  overlapProblems,
  pathProblem,
  systemDirectoryProblem,
} from "./pathRules";

/**
 * 2: the PostgreSQL engine's own section became the engine-neutral `postgres.engine`, plus
 * `postgres.socketDir`. 3: what only one engine knows of (a stanza) moved into
 * `postgres.engine.settings`, which that engine's descriptor defines.
 */
export const HOST_CONFIG_SCHEMA_VERSION = 4;

/** Catalog rows with an S3 prefix. */
export const S3_BACKUP_TYPE_KEYS = ["postgres", "wal", "configs", "logs", "redis"] as const;
export type S3BackupTypeKey = (typeof S3_BACKUP_TYPE_KEYS)[number];

/**
 * Each S3 row's prefix in the bucket (`redis/`, `configs/`…), from the catalog: what the host
 * config's `s3Prefixes` holds, and what a reader without a host config (the console) lists.
 */
export function catalogS3Prefixes(): Record<S3BackupTypeKey, string> {
  return Object.fromEntries(
    S3_BACKUP_TYPE_KEYS.map((key) => {
      const s3 = BACKUP_TYPES[key].s3;
      if (!s3) throw new Error(`catalog row '${key}' has no S3 prefix`);
      return [key, s3.prefix];
    }),
  ) as Record<S3BackupTypeKey, string>;
}

/** Rows the jobs keep a local copy of under `local.root/<row>/`. */
export const LOCAL_COPY_KEYS = ["postgres", "configs", "redis"] as const;
export type LocalCopyKey = (typeof LOCAL_COPY_KEYS)[number];

export const HOST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const CONFIG_SET_KEY_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
/**
 * Whether `path` passes the host config's rule for paths (`pathProblem`: the stack config checks
 * its paths with it too, so a path is refused before any resource exists, not when the host config
 * is rendered).
 */
export const isSafeAbsolutePath = isCanonicalPath;
/** What `isSafeAbsolutePath` allows, for messages. */
export const SAFE_ABSOLUTE_PATH_RULE = CANONICAL_PATH_RULE;

/**
 * AWS region names: two to four letters, an optional partition part (`-gov`, `-iso`, `-isob`,
 * `-isoe`, `-isof`), a direction and a number (`us-east-1`, `eusc-de-east-1`, `us-isob-east-1`).
 */
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+){1,3}-\d$/;
const SAFE_GLOB = /^\/[A-Za-z0-9._@+=:,/*?-]*$/;
const PREFIX_PATTERN = /^[a-z0-9][a-z0-9_-]*\/$/;
const PROGRAM_PATTERN = /^[A-Za-z0-9._-]+$/;
const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const SYSTEM_ACCOUNT = /^[a-z_][a-z0-9_-]{0,31}$/;

/** An absolute path written canonically (infra/catalog/pathRules.ts); the message quotes no value. */
const absolutePath = () =>
  v.pipe(
    text(),
    v.rawCheck<string>(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const problem = pathProblem(dataset.value);
      if (problem !== undefined) addIssue({ message: `${showValue(dataset.value)} ${problem}` });
    }),
  );

const sqlIdentifier = () => text(SQL_IDENTIFIER, "must be a lower-case SQL identifier");

/**
 * A command as an argument vector: run without a shell, so no value is ever re-parsed. The program
 * is a name looked up on PATH or an absolute path, never relative to wherever the job runs.
 */
const argvSchema = v.pipe(
  list(text()),
  v.rawCheck<string[]>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const argv = dataset.value;
    const program = argv[0];
    if (program === undefined || program.startsWith("/") || PROGRAM_PATTERN.test(program)) return;
    addIssue({
      input: program,
      message: `${showValue(program)} must be a program name or an absolute path`,
      path: [{ type: "array", origin: "value", input: argv, key: 0, value: program }],
    });
  }),
);

/** How a job starts, stops and checks a service (prod: systemctl; sandbox: pg_ctl, redis-cli). */
const serviceSchema = exactObject({
  start: argvSchema,
  stop: argvSchema,
  restart: argvSchema,
  reload: argvSchema,
  /** Exits 0 while the service is up and answering. */
  status: argvSchema,
});

/** The PostgreSQL engine's section (infra/catalog/engines/ describes each engine). */
const engineSchema = v.pipe(
  exactObject({
    kind: v.picklist(
      POSTGRES_ENGINE_KEYS,
      (issue) => `must be one of ${POSTGRES_ENGINE_KEYS.join(", ")}, got ${describe(issue.input)}`,
    ),
    binary: absolutePath(),
    /** The engine's config file: required for an engine that reads one, refused for one that reads none. */
    configFile: v.exactOptional(absolutePath()),
    /** The engine's own settings: its descriptor's `settings` say which and their rules. */
    settings: keyedMap(text(), text()),
    osUser: text(SYSTEM_ACCOUNT, "must be a system user name"),
    spoolDir: absolutePath(),
    logDir: absolutePath(),
    lockDir: absolutePath(),
    /** Parallel processes for backup, restore and async archiving; absent: from the host's cores. */
    processMax: v.exactOptional(wholeNumber(1, 64)),
    compression: exactObject({
      type: text(/^[a-z0-9]+$/, "must be a compression name"),
      level: wholeNumber(0, 22),
    }),
    endpoint: v.exactOptional(
      exactObject({
        host: text(/^[A-Za-z0-9.-]+$/, "must be the host name the TLS certificate names"),
        port: wholeNumber(1, 65535),
        caFile: absolutePath(),
      }),
    ),
    credentials: v.picklist(
      ["instance-role", "static"],
      (issue) => `must be instance-role or static, got ${describe(issue.input)}`,
    ),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const { kind, compression, configFile, settings } = dataset.value;
    const engine = POSTGRES_ENGINES[kind];
    // The engine's own section: its descriptor names every setting and its rule.
    const settingAt = (name: string, value: unknown) =>
      [
        { type: "object", origin: "value", input: dataset.value, key: "settings", value: settings },
        { type: "object", origin: "value", input: settings, key: name, value },
      ] as const;
    const names = Object.keys(engine.settings);
    for (const [name, setting] of Object.entries(engine.settings)) {
      const value = settings[name];
      if (value === undefined)
        addIssue({
          message: `is missing: ${engine.title} needs it`,
          path: [...settingAt(name, value)],
        });
      else if (!setting.pattern.test(value))
        addIssue({
          message: `${showValue(value)} ${setting.rule}`,
          path: [...settingAt(name, value)],
        });
    }
    for (const name of Object.keys(settings).filter((n) => !Object.hasOwn(engine.settings, n)))
      addIssue({
        message: `is not one of ${engine.title}'s settings; allowed: ${names.length > 0 ? names.join(", ") : "none"}`,
        path: [...settingAt(name, settings[name])],
      });
    const expected = engine.configFile;
    if (expected && configFile === undefined)
      addIssue({
        message: `configFile is missing: ${engine.title} reads its config from a file (e.g. ${expected.name})`,
      });
    if (!expected && configFile !== undefined)
      addIssue({
        message: `configFile ${showValue(configFile)} is not allowed: ${engine.title} reads no config file`,
      });
    if (expected?.extension && configFile !== undefined && !configFile.endsWith(expected.extension))
      addIssue({
        message: `configFile ${showValue(configFile)} must end in ${expected.extension}: ${engine.title} reads its config in the format its extension names (e.g. ${expected.name})`,
      });
    if (!engine.compressionTypes.includes(compression.type))
      addIssue({
        message: `compression.type ${showValue(compression.type)} is not one of ${engine.title}'s: ${engine.compressionTypes.join(", ")}`,
      });
    const { min, max } = engine.compressionLevels;
    if (compression.level < min || compression.level > max)
      addIssue({
        message: `compression.level ${compression.level} is outside ${engine.title}'s range ${min} to ${max}`,
      });
  }),
);

const postgresSchema = exactObject({
  majorVersion: wholeNumber(12, 99),
  /** Directory of initdb, pg_ctl, postgres of that major version. */
  binDir: absolutePath(),
  pgData: absolutePath(),
  /** Where the installer puts the rendered postgresql.conf fragment (an `include_dir` file). */
  managedConfigFile: absolutePath(),
  /** `host` may be a Unix socket directory. The password, if any, comes from `~/.pgpass`. */
  connection: exactObject({
    host: text(/^[A-Za-z0-9./_-]+$/, "must be a host name, IP address or socket directory"),
    port: wholeNumber(1, 65535),
    user: sqlIdentifier(),
    database: sqlIdentifier(),
  }),
  /** The application databases on this cluster. */
  databases: list(sqlIdentifier()),
  /** What the restore test and the runbook count: tables in one database. */
  check: exactObject({ database: sqlIdentifier(), tables: list(sqlIdentifier()) }),
  /** The Unix socket directory the engine connects through (it speaks to a local cluster only). */
  socketDir: absolutePath(),
  engine: engineSchema,
  /** Which kind of backup a scheduled pg-backup takes in S3 (infra/catalog/backupPlan.ts). */
  backupPlan: v.pipe(
    exactObject({
      fullEveryDays: days(),
      betweenFulls: v.exactOptional(
        v.picklist(
          BETWEEN_FULLS_KINDS,
          (issue) =>
            `must be one of ${BETWEEN_FULLS_KINDS.join(", ")}, got ${describe(issue.input)}`,
        ),
      ),
    }),
    v.check(
      ({ fullEveryDays, betweenFulls }) => fullEveryDays > 1 === (betweenFulls !== undefined),
      "betweenFulls must be set exactly when fullEveryDays is more than 1",
    ),
  ),
  /**
   * A streaming standby of this cluster that pg-backup reads the data files from
   * (infra/catalog/backupFrom.ts); absent: the primary is read.
   */
  backupFrom: v.exactOptional(
    exactObject({
      standby: exactObject({
        pgData: absolutePath(),
        port: wholeNumber(1, 65535),
        socketDir: absolutePath(),
      }),
      maxReplayLagMb: wholeNumber(1, MAX_REPLAY_LAG_MB),
      whenStandbyUnavailable: v.picklist(
        STANDBY_FALLBACKS,
        (issue) => `must be one of ${STANDBY_FALLBACKS.join(", ")}, got ${describe(issue.input)}`,
      ),
    }),
  ),
  /** Seconds after which PostgreSQL archives a partly filled WAL segment. */
  archiveTimeoutSeconds: wholeNumber(1, 3600),
  service: serviceSchema,
});

const redisSchema = exactObject({
  host: text(/^[A-Za-z0-9.:-]+$/, "must be a host name or IP address"),
  port: wholeNumber(1, 65535),
  dir: absolutePath(),
  dbfilename: text(/^[A-Za-z0-9._-]+\.rdb$/, "must be a file name ending in .rdb"),
  /** Whether the rendered fragment turns the append-only file on. */
  appendonly: flag(),
  /** Where the installer puts the rendered redis.conf fragment (included last by redis.conf). */
  managedConfigFile: absolutePath(),
  /** Owner a restored dump must have so Redis can read and replace it. */
  owner: exactObject({
    user: text(SYSTEM_ACCOUNT, "must be a system user name"),
    group: text(SYSTEM_ACCOUNT, "must be a system group name"),
  }),
  service: serviceSchema,
});

/** Files backed up and restored together, and what makes their services read them again. */
const configSetSchema = exactObject({
  paths: v.pipe(
    list(absolutePath()),
    v.check((paths) => new Set(paths).size === paths.length, "lists a file twice"),
  ),
  /** Run in order after a confirmed restore; the first failure stops the rest. */
  restart: list(argvSchema, true),
});

const configSetsSchema = v.pipe(
  keyedMap(
    v.pipe(
      v.string(),
      v.regex(
        CONFIG_SET_KEY_PATTERN,
        "set names must be lower-case letters, digits and '-' (they become S3 key parts)",
      ),
    ),
    configSetSchema,
  ),
  v.check((sets) => Object.keys(sets).length > 0, "must name at least one set of files"),
);

/**
 * The directories the jobs write, move aside or prune, by their path in the host config: each kept
 * out of the operating system's directories and out of the others (infra/catalog/pathRules.ts).
 */
const DATA_DIRECTORIES = [
  ["postgres", "pgData"],
  ["postgres", "backupFrom", "standby", "pgData"],
  ["local", "root"],
  ["postgres", "engine", "spoolDir"],
  ["redis", "dir"],
  ["paths", "stateDir"],
] as const;

function dataDirectoryCheck(dataset: v.OutputDataset<unknown, v.BaseIssue<unknown>>): {
  readonly at: readonly string[];
  readonly message: string;
}[] {
  if (!dataset.typed) return [];
  const valueAt = (at: readonly string[]): unknown =>
    at.reduce<unknown>(
      (node, key) => (node as Record<string, unknown> | undefined)?.[key],
      dataset.value,
    );
  const named = DATA_DIRECTORIES.map((at) => ({ key: at.join("."), at, path: valueAt(at) }));
  const directories = named.filter(
    (d): d is typeof d & { path: string } => typeof d.path === "string",
  );
  return [
    ...directories.flatMap((d) => {
      const problem = systemDirectoryProblem(d.path);
      return problem === undefined ? [] : [{ at: d.at, message: problem }];
    }),
    ...overlapProblems(directories).map((p) => ({
      at: directories.find((d) => d.key === p.key)?.at ?? [],
      message: p.message,
    })),
  ];
}

/** The host config file's contract; `HostConfig` is derived from it. */
export const hostConfigSchema = v.pipe(
  exactObject({
    schemaVersion: v.literal(
      HOST_CONFIG_SCHEMA_VERSION,
      (issue) =>
        `must be ${HOST_CONFIG_SCHEMA_VERSION}, got ${describe(issue.input)}: install the jobs and host config of the same release`,
    ),
    stack: text(/^[A-Za-z0-9._-]+$/, "must be a Pulumi stack name"),
    region: text(REGION_PATTERN, "must be an AWS region such as us-east-1"),
    bucket: text(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
    metricNamespace: text(/^[A-Za-z0-9._/#:-]{1,255}$/, "must be a CloudWatch namespace"),
    s3Prefixes: rowMap(
      S3_BACKUP_TYPE_KEYS,
      text(PREFIX_PATTERN, "must be one lower-case path segment ending in '/'"),
    ),
    retentionDays: rowMap(BACKUP_TYPE_KEYS, days()),
    local: exactObject({
      root: absolutePath(),
      retentionDays: rowMap(LOCAL_COPY_KEYS, days()),
      /** A job refuses to write a local copy when the file system is fuller than this. */
      maxDiskUsagePercent: wholeNumber(1, 100),
    }),
    postgres: postgresSchema,
    redis: redisSchema,
    configSets: configSetsSchema,
    /** Globs (`*` and `?` within a path segment) of the log files logs-ship uploads. */
    logs: exactObject({
      paths: list(
        v.pipe(
          text(
            SAFE_GLOB,
            "must be an absolute path or glob ('*', '?') without spaces or shell metacharacters",
          ),
          noParentSegments(),
        ),
      ),
    }),
    paths: exactObject({ stateDir: absolutePath(), lockDir: absolutePath() }),
    /** Only for the sandbox (moto). Real hosts use the regional AWS endpoints. */
    awsEndpointUrl: v.exactOptional(
      text(/^https?:\/\/[A-Za-z0-9.:[\]-]+\/?$/, "must be an http(s)://host:port URL"),
    ),
    /** The bucket's KMS key: uploads name it explicitly so S3 never falls back to `aws/s3`. */
    kmsKeyArn: v.exactOptional(
      text(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, "must be a KMS key ARN"),
    ),
    /**
     * Client-side encryption (stack option `clientSideEncryption`); absent: off. Names only: the key
     * by its alias (resolved with kms:DescribeKey at run time) and the SSM SecureString holding the
     * PostgreSQL repository passphrase, which pg-engine-setup reads. Never the passphrase itself.
     */
    clientSideEncryption: v.exactOptional(
      exactObject({
        kmsKeyAlias: text(
          /^alias\/[A-Za-z0-9/_-]{1,250}$/,
          "must be a KMS alias such as alias/stellar-insights-backups",
        ),
        // The message quotes no value: a refused one may be the passphrase itself.
        cipherPassParameter: v.pipe(
          text(),
          v.regex(SSM_PARAMETER_NAME_PATTERN, SSM_PARAMETER_NAME_RULE),
        ),
      }),
    ),
    /** Names this host in S3 keys; the jobs use `os.hostname()` when absent. */
    hostId: v.exactOptional(
      text(
        HOST_ID_PATTERN,
        "must be letters, digits, '.', '_' or '-' (it becomes part of S3 keys)",
      ),
    ),
    /**
     * The backup bucket's copy in a second region (stack config `replication`): restores read from it
     * with `SOURCE=replica` when the primary region is down. Hosts never write there.
     */
    replica: v.exactOptional(
      exactObject({
        bucket: text(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
        region: text(
          /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/,
          "must be an AWS region such as us-west-2",
        ),
      }),
    ),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    for (const { at, message } of dataDirectoryCheck(dataset)) {
      let node: unknown = dataset.value;
      const path = at.map((key) => {
        const input = node as Record<string, unknown>;
        node = input[key];
        return { type: "object", origin: "value", input, key, value: node } as const;
      });
      addIssue({ message, path: path as [v.IssuePathItem, ...v.IssuePathItem[]] });
    }
  }),
);

export type HostConfig = DeepReadonly<v.InferOutput<typeof hostConfigSchema>>;
export type PostgresHostConfig = HostConfig["postgres"];
export type RedisHostConfig = HostConfig["redis"];
export type ServiceControl = PostgresHostConfig["service"];
export type Argv = ServiceControl["start"];
export type PostgresEngineHostConfig = PostgresHostConfig["engine"];
export type ConfigSet = HostConfig["configSets"][string];
export type ClientSideEncryptionHostConfig = NonNullable<HostConfig["clientSideEncryption"]>;

export type HostConfigProblem = SchemaProblem;

export type HostConfigResult =
  | { readonly ok: true; readonly config: HostConfig }
  | { readonly ok: false; readonly problems: readonly HostConfigProblem[] };

/**
 * Checks parsed JSON against `hostConfigSchema`. Never throws: every problem comes back with its
 * JSON path (`redis.service.stop[0]`), unknown fields included.
 */
export function parseHostConfig(value: unknown): HostConfigResult {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {
      ok: false,
      problems: [
        { path: ROOT_PATH, value, message: `must be a JSON object, got ${describe(value)}` },
      ],
    };
  }
  const result = v.safeParse(hostConfigSchema, value);
  return result.success
    ? { ok: true, config: result.output }
    : { ok: false, problems: schemaProblems(result.issues) };
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
