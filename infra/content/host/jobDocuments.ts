/**
 * The documents that run each host job and each restore. A document maps its SSM parameters onto
 * the environment variables the job reads (scripts/jobs/<job>.ts documents them), then execs the
 * installed bundle. Destructive documents are dry runs unless `Confirm` is `yes-restore`.
 */
import {
  BUSY_EXIT_CODE,
  CONFIRM_VALUE,
  HOST_PATHS,
  JOBS,
  JOB_KEYS,
  documentName,
  type DocumentKey,
  type JobKey,
} from "../../catalog";
import type { PostgresEngineDescriptor } from "../../catalog/engines";
import { TARGET_TIME_PATTERN } from "../../catalog/targetTime";
import { wholeValue, type CommandDocument, type DocumentParameter } from "./ssmDocuments";

export interface JobParameter extends DocumentParameter {
  /** Environment variable the job reads. */
  readonly env: string;
  /** The document value that means "leave the variable unset" (the job's own default). */
  readonly unsetWhen?: string;
}

/** UTC stamps the jobs write (`20240115T020000Z`, config archives may add `-<hash 12>`), or `latest`. */
const BACKUP_STAMP = wholeValue("(latest|[0-9]{8}T[0-9]{6}Z(-[0-9a-f]{12})?)");
/** Host ids as they appear in S3 keys; empty for "this host". */
const SOURCE_HOST = wholeValue("(|[A-Za-z0-9][A-Za-z0-9._-]{0,62})");
const CONFIG_SET = wholeValue("[a-z][a-z0-9-]{0,31}");
const CONFIG_SETS = wholeValue("(|[a-z][a-z0-9-]{0,31}(,[a-z][a-z0-9-]{0,31})*)");

const confirm: JobParameter = {
  name: "Confirm",
  env: "CONFIRM",
  description: `'${CONFIRM_VALUE}' replaces live data; 'dry-run' (default) only prints every step it would take.`,
  default: "dry-run",
  allowedValues: ["dry-run", CONFIRM_VALUE],
  unsetWhen: "dry-run",
};
const backup: JobParameter = {
  name: "Backup",
  env: "BACKUP",
  description: "'latest' or the UTC stamp of a backup, e.g. 20240115T020000Z.",
  default: "latest",
  allowedPattern: BACKUP_STAMP,
};
const sourceHost: JobParameter = {
  name: "SourceHost",
  env: "SOURCE_HOST",
  description: "Restore another host's backups (its host id); empty for this host's own.",
  default: "",
  allowedPattern: SOURCE_HOST,
  unsetWhen: "",
};

/** Client-side encryption's migration door: a restore of a backup older than the option. */
const allowPlaintext = yesNo(
  "AllowPlaintext",
  "ALLOW_PLAINTEXT",
  "no",
  "'yes' accepts a backup that is not client-side encrypted while the stack encrypts (one taken before clientSideEncryption was turned on); 'no' (default) refuses it.",
);
/** Which bucket a restore reads: the replica when the primary's region is down (stack config `replication`). */
const source: JobParameter = {
  name: "Source",
  env: "SOURCE",
  description:
    "'primary' (default): the backup bucket; 'replica': its copy in the second region, when the primary's region is down (the stack must have replication on).",
  default: "primary",
  allowedValues: ["primary", "replica"],
  unsetWhen: "primary",
};

interface DocumentSpec {
  readonly job: string;
  readonly description: string;
  readonly parameters: readonly JobParameter[];
  readonly timeoutSeconds: number;
}

function yesNo(
  name: string,
  env: string,
  fallback: "yes" | "no",
  description: string,
): JobParameter {
  return {
    name,
    env,
    description,
    default: fallback,
    allowedValues: ["no", "yes"],
    unsetWhen: fallback,
  };
}

function jobSpec(key: JobKey, parameters: readonly JobParameter[] = []): DocumentSpec {
  const job = JOBS[key];
  return {
    job: key,
    description: `${key}: ${job.description}.`,
    parameters,
    timeoutSeconds: job.timeoutSeconds,
  };
}

/** Every job and restore document's spec; the PostgreSQL ones speak the stack's engine. */
function specs(
  engine: PostgresEngineDescriptor,
): Readonly<Record<Exclude<DocumentKey, "install">, DocumentSpec>> {
  return {
    "pg-backup": jobSpec("pg-backup", [
      yesNo(
        "StartFast",
        "START_FAST",
        "no",
        "'yes' checkpoints at once (a person is waiting); 'no' spreads the checkpoint out as on the schedule.",
      ),
      yesNo(
        "Local",
        "LOCAL",
        "yes",
        "'no' skips the local repository (the S3 backup is always taken).",
      ),
    ]),
    "pg-verify": jobSpec("pg-verify", [
      {
        name: "MaxAgeHours",
        env: "MAX_AGE_HOURS",
        description:
          "Fail when the newest backup stopped longer ago than this many hours; empty for the postgres row's RPO.",
        default: "",
        allowedPattern: wholeValue("(|[1-9][0-9]{0,2})"),
        unsetWhen: "",
      },
      {
        name: "Repositories",
        env: "REPOSITORIES",
        description: "Repositories to verify: s3, local or both (comma-separated); empty for both.",
        default: "",
        allowedPattern: wholeValue("(|s3|local|s3,local|local,s3)"),
        unsetWhen: "",
      },
    ]),
    "pg-restore-test": jobSpec("pg-restore-test"),
    "redis-backup": jobSpec("redis-backup"),
    "config-backup": jobSpec("config-backup", [
      {
        name: "Sets",
        env: "SETS",
        description: "Comma-separated config sets to back up; empty for all.",
        default: "",
        allowedPattern: CONFIG_SETS,
        unsetWhen: "",
      },
    ]),
    "logs-ship": jobSpec("logs-ship"),
    cleanup: jobSpec("cleanup", [
      yesNo("DryRun", "DRY_RUN", "no", "'yes' prints what would be deleted and deletes nothing."),
    ]),
    "health-check": jobSpec("health-check", [
      {
        name: "Checks",
        env: "CHECKS",
        description:
          "Comma-separated subset of s3, disk, wal-archive, redis, backup-ages, postgres-backup, job-runs; empty for all.",
        default: "",
        allowedPattern: wholeValue("(|[a-z0-9-]{1,20}(,[a-z0-9-]{1,20})*)"),
        unsetWhen: "",
      },
    ]),
    "pg-restore": {
      job: "pg-restore",
      description:
        "pg-restore: point-in-time, named-backup or latest restore of PostgreSQL. Dry run unless Confirm is yes-restore.",
      timeoutSeconds: 6 * 3600,
      parameters: [
        confirm,
        {
          name: "Target",
          env: "TARGET",
          description: "'latest', 'backup' (BackupName) or 'time' (TargetTime).",
          default: "latest",
          allowedValues: ["latest", "backup", "time"],
        },
        {
          name: "BackupName",
          env: "BACKUP_NAME",
          description: `${engine.title} backup name, as pg-verify and the engine's listing show it, e.g. ${engine.backupNameExample}.`,
          default: "",
          allowedPattern: wholeValue(`(|${engine.backupNamePattern.replace(/^\^|\$$/g, "")})`),
          unsetWhen: "",
        },
        {
          name: "TargetTime",
          env: "TARGET_TIME",
          description:
            "Recovery target with an explicit offset, e.g. 2024-01-15T14:30:00Z or 2024-01-15T16:30:00+02:00 (a time without one is refused).",
          default: "",
          allowedPattern: wholeValue(TARGET_TIME_PATTERN.replace(/^\^|\$$/g, "")),
          unsetWhen: "",
        },
        sourceHost,
        source,
        {
          name: "Repository",
          env: "REPOSITORY",
          description:
            "'s3' (default) or 'local': this host's local repository, for a restore while S3 is unreachable.",
          default: "s3",
          allowedValues: ["s3", "local"],
          unsetWhen: "s3",
        },
        yesNo(
          "Delta",
          "DELTA",
          "no",
          "'yes' restores in place, rewriting only files that differ: faster, but the current data directory is not kept aside.",
        ),
      ],
    },
    "redis-restore": {
      job: "redis-restore",
      description:
        "redis-restore: puts a Redis dump back and checks its key count. Dry run unless Confirm is yes-restore.",
      timeoutSeconds: 3600,
      parameters: [confirm, backup, sourceHost, allowPlaintext, source],
    },
    "config-restore": {
      job: "config-restore",
      description:
        "config-restore: puts a config set back, keeping replaced files aside, then restarts its services. Dry run unless Confirm is yes-restore.",
      timeoutSeconds: 1800,
      parameters: [
        confirm,
        {
          name: "Set",
          env: "SET",
          description: "The config set to restore, e.g. app or db.",
          allowedPattern: CONFIG_SET,
        },
        backup,
        sourceHost,
        allowPlaintext,
        source,
      ],
    },
  };
}

function exportLine(p: JobParameter): string {
  const assign = `export ${p.env}="$SSM_${p.name}"`;
  return p.unsetWhen === undefined
    ? assign
    : `if [ "$SSM_${p.name}" != "${p.unsetWhen}" ]; then ${assign}; fi`;
}

/**
 * A scheduled job's busy exit (another run holds its lock) is success for SSM, so the failure
 * events rule does not page on an overlap; a restore run by hand keeps its own exit code.
 */
function runLines(job: string): readonly string[] {
  if (!(JOB_KEYS as readonly string[]).includes(job)) return ['exec node "$job"'];
  return [
    'status=0; node "$job" || status=$?',
    `if [ "$status" -eq ${BUSY_EXIT_CODE} ]; then echo "exit ${BUSY_EXIT_CODE}: skipped, another run holds the lock (reported as success)"; exit 0; fi`,
    'exit "$status"',
  ];
}

export function jobDocument(
  stack: string,
  key: Exclude<DocumentKey, "install">,
  engine: PostgresEngineDescriptor,
): CommandDocument {
  const spec = specs(engine)[key];
  const bundle = `${HOST_PATHS.jobsDir}/${spec.job}.mjs`;
  return {
    description: spec.description,
    timeoutSeconds: spec.timeoutSeconds,
    parameters: spec.parameters.map(({ env: _env, unsetWhen: _unset, ...p }) => p),
    script: [
      // STELLAR_BACKUP_ROOT and STELLAR_BACKUP_CONFIG are unset on hosts; the local sandbox sets them.
      'root="${STELLAR_BACKUP_ROOT:-}"',
      `job="$root${bundle}"`,
      `if [ ! -f "$job" ]; then echo "${spec.job} is not installed on this host: run the ${documentName(stack, "install")} document first" >&2; exit 1; fi`,
      `export STELLAR_BACKUP_CONFIG="\${STELLAR_BACKUP_CONFIG:-$root${HOST_PATHS.configFile}}"`,
      ...spec.parameters.map(exportLine),
      ...runLines(spec.job),
    ],
  };
}
