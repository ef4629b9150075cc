/**
 * Every host job's parameters, declared once: the environment variable the job reads, what its
 * `--help` says, how the job checks it, and how the job's SSM document carries it (document
 * parameter name, description, default, allowed values or pattern). The jobs parse their
 * environment from these declarations (scripts/lib/job/params.ts) and print them under `--help`;
 * the documents' parameters are derived from them (infra/content/host/jobDocuments.ts).
 *
 * Document patterns are bodies: the document wraps them whole-value for SSM, a job anchors them
 * with `^(?:...)$`. A parameter without `document` is set by hand on the host only (a tuning knob
 * no document exposes).
 *
 * Pure module: no Pulumi import.
 */
import { BACKUP_TYPES } from "./backupTypes";
import { CONFIRM_VALUE } from "./documents";
import { HOST_ID_PATTERN } from "./hostConfig";
import { RESTORE_FETCH_BOUNDS, type PostgresEngineDescriptor } from "./engines";
import { TARGET_TIME_PATTERN } from "./targetTime";

/** How a job's SSM document names and describes a parameter. */
export interface DocumentSide {
  /** SSM parameter name; the document's script sees it as `$SSM_<name>`. */
  readonly name: string;
  readonly description: string;
}

interface Common {
  /** Environment variable the job reads. */
  readonly env: string;
  /** What the job's `--help` says of it: meaning, allowed values and default. */
  readonly usage: string;
  readonly document?: DocumentSide;
}

/** `yes` or `no`. */
export interface FlagParameter extends Common {
  readonly kind: "flag";
  readonly default: "yes" | "no";
}

/** One of a fixed set of words. */
export interface ChoiceParameter<T extends string = string> extends Common {
  readonly kind: "choice";
  readonly values: readonly T[];
  readonly default: T;
  /** The document sets the variable to its default too, rather than leaving it unset. */
  readonly documentPassesDefault?: true;
}

/** A whole number in `[min, max]`. */
export interface IntegerParameter extends Common {
  readonly kind: "integer";
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/** `CONFIRM_VALUE` to act; unset (or the document's `dry-run`) for a dry run. */
export interface ConfirmParameter extends Common {
  readonly kind: "confirm";
}

/**
 * A value the job checks against what only the host knows (its config sets, the engine's backup
 * names, its own clock); the document admits the shape `pattern` and `default` (absent: the
 * document requires the parameter). An empty document value leaves the variable unset.
 */
export interface CheckedParameter extends Common {
  readonly kind: "checked";
  readonly pattern: string;
  readonly default?: string;
}

/**
 * A checked value whose shape depends on the stack's engine (BACKUP_NAME): the document's pattern
 * and description are functions of the engine descriptor.
 */
export interface EngineCheckedParameter extends Omit<Common, "document"> {
  readonly kind: "engine-checked";
  readonly pattern: (engine: PostgresEngineDescriptor) => string;
  readonly default: string;
  readonly document: {
    readonly name: string;
    readonly description: (engine: PostgresEngineDescriptor) => string;
  };
}

export type JobParameter =
  | FlagParameter
  | ChoiceParameter
  | IntegerParameter
  | ConfirmParameter
  | CheckedParameter
  | EngineCheckedParameter;

/** The host jobs that read parameters, by their entry file's name (`scripts/jobs/<name>.ts`). */
export type ParameterisedJob = keyof typeof JOB_PARAMETERS;

/** `a`, `a or b`, `a, b or c`. */
export function orList(words: readonly string[]): string {
  return words.length <= 1
    ? words.join("")
    : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** UTC stamps the jobs write (`20240115T020000Z`, config archives may add `-<hash 12>`), or `latest`. */
export const BACKUP_STAMP_PATTERN = "(latest|[0-9]{8}T[0-9]{6}Z(-[0-9a-f]{12})?)";
const CONFIG_SET_PATTERN = "[a-z][a-z0-9-]{0,31}";

/** The health check's checks, in the order it runs and reports them. */
export const HEALTH_CHECKS = [
  "s3",
  "disk",
  "wal-archive",
  "redis",
  "backup-ages",
  "postgres-backup",
  "job-runs",
] as const;

/**
 * Minutes recovery may make no progress before pg-restore fails naming the file it waits for:
 * twice the longest the restore_command may spend on one file in every repository.
 */
const DEFAULT_STALL_MINUTES = Math.ceil(
  (2 *
    2 *
    RESTORE_FETCH_BOUNDS.attempts *
    (RESTORE_FETCH_BOUNDS.attemptSeconds + RESTORE_FETCH_BOUNDS.pauseSeconds)) /
    60,
);

const confirm: ConfirmParameter = {
  kind: "confirm",
  env: "CONFIRM",
  usage: "yes-restore to act; unset for a dry run",
  document: {
    name: "Confirm",
    description: `'${CONFIRM_VALUE}' replaces live data; 'dry-run' (default) only prints every step it would take.`,
  },
};

/** Restore another host's backups; the job's `--help` says whose. */
function sourceHost(usage: string): CheckedParameter {
  return {
    kind: "checked",
    env: "SOURCE_HOST",
    usage,
    pattern: `(|${HOST_ID_PATTERN.source.replace(/^\^|\$$/g, "")})`,
    default: "",
    document: {
      name: "SourceHost",
      description: "Restore another host's backups (its host id); empty for this host's own.",
    },
  };
}

/** Where a restore reads its backups: the backup bucket, or its copy in the second region. */
export const RESTORE_SOURCES = ["primary", "replica"] as const;
export type RestoreSource = (typeof RESTORE_SOURCES)[number];

/** Which bucket a restore reads: the replica when the primary's region is down (stack config `replication`). */
function source(usage: string): ChoiceParameter<RestoreSource> {
  return {
    kind: "choice",
    env: "SOURCE",
    usage,
    values: RESTORE_SOURCES,
    default: "primary",
    document: {
      name: "Source",
      description:
        "'primary' (default): the backup bucket; 'replica': its copy in the second region, when the primary's region is down (the stack must have replication on).",
    },
  };
}

/** Client-side encryption's migration door: a restore of a backup older than the option. */
function allowPlaintext(usage: string): FlagParameter {
  return {
    kind: "flag",
    env: "ALLOW_PLAINTEXT",
    usage,
    default: "no",
    document: {
      name: "AllowPlaintext",
      description:
        "'yes' accepts a backup that is not client-side encrypted while the stack encrypts (one taken before clientSideEncryption was turned on); 'no' (default) refuses it.",
    },
  };
}

function backup(usage: string): CheckedParameter {
  return {
    kind: "checked",
    env: "BACKUP",
    usage,
    pattern: BACKUP_STAMP_PATTERN,
    default: "latest",
    document: {
      name: "Backup",
      description: "'latest' or the UTC stamp of a backup, e.g. 20240115T020000Z.",
    },
  };
}

/**
 * The declarations, per job, in the order `--help` lists them and the document declares them.
 * Jobs absent here read no parameters.
 */
export const JOB_PARAMETERS = {
  "pg-backup": {
    kind: {
      kind: "choice",
      env: "KIND",
      usage:
        "auto (default), full, differential or incremental: auto takes what the stack's backup plan says is due",
      values: ["auto", "full", "differential", "incremental"],
      default: "auto",
      document: {
        name: "Kind",
        description:
          "'auto' (default): the stack's backup plan decides (a full when one is due, else the plan's kind between fulls); 'full', 'differential' or 'incremental' for an on-demand run.",
      },
    },
    startFast: {
      kind: "flag",
      env: "START_FAST",
      usage: "yes checkpoints at once (a person is waiting); no spreads it out (default: no)",
      default: "no",
      document: {
        name: "StartFast",
        description:
          "'yes' checkpoints at once (a person is waiting); 'no' spreads the checkpoint out as on the schedule.",
      },
    },
    from: {
      kind: "choice",
      env: "FROM",
      usage:
        "plan (default), primary or standby: plan reads where the host config's postgres.backupFrom says (the primary when it names no standby)",
      values: ["plan", "primary", "standby"],
      default: "plan",
      document: {
        name: "From",
        description:
          "'plan' (default): read the cluster where the stack says (postgresBackupFrom), falling back as it says; 'primary' reads the primary; 'standby' reads the stack's standby and fails when it cannot.",
      },
    },
    local: {
      kind: "flag",
      env: "LOCAL",
      usage: "no skips the local repository (default: yes)",
      default: "yes",
      document: {
        name: "Local",
        description: "'no' skips the local repository (the S3 backup is always taken).",
      },
    },
  },
  "pg-verify": {
    maxAgeHours: {
      kind: "integer",
      env: "MAX_AGE_HOURS",
      usage: "1-720: the newest backup may be this old (default: the postgres row's RPO, 24)",
      min: 1,
      max: 720,
      default: BACKUP_TYPES.postgres.rpoSeconds / 3600,
      document: {
        name: "MaxAgeHours",
        description:
          "Fail when the newest backup stopped longer ago than this many hours; empty for the postgres row's RPO.",
      },
    },
    repositories: {
      kind: "checked",
      env: "REPOSITORIES",
      usage: "comma-separated s3,local (default: both)",
      pattern: "(|s3|local|s3,local|local,s3)",
      default: "",
      document: {
        name: "Repositories",
        description: "Repositories to verify: s3, local or both (comma-separated); empty for both.",
      },
    },
  },
  "pg-restore-test": {
    timeoutMinutes: {
      kind: "integer",
      env: "TIMEOUT_MINUTES",
      usage: "for the throwaway's start (replay to consistency), 1-1440 (default 240)",
      min: 1,
      max: 24 * 60,
      default: 240,
    },
    checkMinutes: {
      kind: "integer",
      env: "CHECK_MINUTES",
      usage: "for reading every relation of every database (pg_amcheck), 1-1440 (default 120)",
      min: 1,
      max: 24 * 60,
      default: 120,
    },
  },
  "redis-backup": {
    bgsaveTimeoutSeconds: {
      kind: "integer",
      env: "BGSAVE_TIMEOUT_SECONDS",
      usage: "how long to wait for the dump, 10-21600 (default: 600)",
      min: 10,
      max: 6 * 3600,
      default: 600,
    },
  },
  "config-backup": {
    sets: {
      kind: "checked",
      env: "SETS",
      usage: "comma-separated subset of the host config's config sets (default: all)",
      pattern: `(|${CONFIG_SET_PATTERN}(,${CONFIG_SET_PATTERN})*)`,
      default: "",
      document: {
        name: "Sets",
        description: "Comma-separated config sets to back up; empty for all.",
      },
    },
  },
  cleanup: {
    dryRun: {
      kind: "flag",
      env: "DRY_RUN",
      usage: "yes lists what would be removed and removes nothing (default: no)",
      default: "no",
      document: {
        name: "DryRun",
        description: "'yes' prints what would be deleted and deletes nothing.",
      },
    },
  },
  "health-check": {
    checks: {
      kind: "checked",
      env: "CHECKS",
      usage: `comma-separated subset of ${HEALTH_CHECKS.join(", ")} (default: all)`,
      pattern: "(|[a-z0-9-]{1,20}(,[a-z0-9-]{1,20})*)",
      default: "",
      document: {
        name: "Checks",
        description: `Comma-separated subset of ${HEALTH_CHECKS.join(", ")}; empty for all.`,
      },
    },
  },
  "pg-engine-setup": {
    step: {
      kind: "choice",
      env: "STEP",
      usage: "setup or check (default: setup)",
      values: ["setup", "check"],
      default: "setup",
    },
  },
  "pg-restore": {
    confirm,
    target: {
      kind: "choice",
      env: "TARGET",
      usage: "latest (default), backup (with BACKUP_NAME) or time (with TARGET_TIME)",
      values: ["latest", "backup", "time"],
      default: "latest",
      documentPassesDefault: true,
      document: {
        name: "Target",
        description: "'latest', 'backup' (BackupName) or 'time' (TargetTime).",
      },
    },
    backupName: {
      kind: "engine-checked",
      env: "BACKUP_NAME",
      usage: "the backup to restore with TARGET=backup",
      pattern: (engine) => `(|${engine.backupNamePattern.replace(/^\^|\$$/g, "")})`,
      default: "",
      document: {
        name: "BackupName",
        description: (engine) =>
          `${engine.title} backup name, as pg-verify and the engine's listing show it, e.g. ${engine.backupNameExample}.`,
      },
    },
    targetTime: {
      kind: "checked",
      env: "TARGET_TIME",
      usage:
        "with TARGET=time: e.g. 2024-01-15T14:30:00Z or 2024-01-15T16:30:00+02:00 (an offset is required)",
      pattern: TARGET_TIME_PATTERN.replace(/^\^|\$$/g, ""),
      default: "",
      document: {
        name: "TargetTime",
        description:
          "Recovery target with an explicit offset, e.g. 2024-01-15T14:30:00Z or 2024-01-15T16:30:00+02:00 (a time without one is refused).",
      },
    },
    sourceHost: sourceHost(
      "restore another host's S3 repository (its host id; default: this host's own)",
    ),
    source: source(
      "primary (default) or replica: the S3 repository's copy in the second region, when the primary's is down",
    ),
    repository: {
      kind: "choice",
      env: "REPOSITORY",
      usage: "s3 (default) or local (this host's local repository, when S3 is unreachable)",
      values: ["s3", "local"],
      default: "s3",
      document: {
        name: "Repository",
        description:
          "'s3' (default) or 'local': this host's local repository, for a restore while S3 is unreachable.",
      },
    },
    delta: {
      kind: "flag",
      env: "DELTA",
      usage:
        "yes restores in place, rewriting only what differs (faster; the current data is not kept); default no",
      default: "no",
      document: {
        name: "Delta",
        description:
          "'yes' restores in place, rewriting only files that differ: faster, but the current data directory is not kept aside.",
      },
    },
    timeoutMinutes: {
      kind: "integer",
      env: "TIMEOUT_MINUTES",
      usage: "for the start and the replay, 1-1440 (default 330)",
      min: 1,
      max: 24 * 60,
      default: 330,
    },
    stallMinutes: {
      kind: "integer",
      env: "STALL_MINUTES",
      usage: `replay may make no progress this long before the restore fails naming the WAL file it waits for, 1-1440 (default ${DEFAULT_STALL_MINUTES})`,
      min: 1,
      max: 24 * 60,
      default: DEFAULT_STALL_MINUTES,
    },
  },
  "redis-restore": {
    confirm,
    backup: backup("latest (default) or a dump's UTC stamp, e.g. 20240115T020000Z"),
    sourceHost: sourceHost("whose dumps to restore from (default: this host)"),
    allowPlaintext: allowPlaintext(
      "yes to accept a dump that is not client-side encrypted while the stack encrypts (one older\n" +
        "than the option); default no",
    ),
    source: source(
      "primary (default) or replica: the copy in the second region, when the primary's is down",
    ),
    timeoutSeconds: {
      kind: "integer",
      env: "TIMEOUT_SECONDS",
      usage: "for stop, start, load and AOF rewrite each, 10-3600 (default: 300)",
      min: 10,
      max: 3600,
      default: 300,
    },
  },
  "config-restore": {
    confirm,
    set: {
      kind: "checked",
      env: "SET",
      usage: "the config set to restore (required), e.g. app or db",
      pattern: CONFIG_SET_PATTERN,
      document: { name: "Set", description: "The config set to restore, e.g. app or db." },
    },
    backup: backup(
      "latest (default, through latest.json), an archive's UTC stamp (20240115T020000Z),\n" +
        "or stamp and content hash (20240115T020000Z-0123456789ab) when one second holds two",
    ),
    sourceHost: sourceHost("whose archives to restore from (default: this host)"),
    allowPlaintext: allowPlaintext(
      "yes to accept an archive that is not client-side encrypted while the stack encrypts (one\n" +
        "older than the option); default no",
    ),
    source: source(
      "primary (default) or replica: the copy in the second region, when the primary's is down",
    ),
  },
} as const satisfies Readonly<Record<string, Readonly<Record<string, JobParameter>>>>;

/** `--help`'s environment section for a job: variable → usage, in declaration order. */
export function parameterUsage(
  parameters: Readonly<Record<string, JobParameter>>,
): Readonly<Record<string, string>> {
  return Object.fromEntries(Object.values(parameters).map((p) => [p.env, p.usage]));
}
