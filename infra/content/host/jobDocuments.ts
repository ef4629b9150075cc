/**
 * The documents that run each host job and each restore. A document maps its SSM parameters onto
 * the environment variables the job reads (infra/catalog/jobParameters.ts declares both), then execs the
 * installed bundle. Destructive documents are dry runs unless `Confirm` is `yes-restore`.
 */
import {
  BUSY_EXIT_CODE,
  CONFIRM_VALUE,
  HOST_PATHS,
  JOBS,
  documentTimeoutSeconds,
  JOB_KEYS,
  documentName,
  type DocumentKey,
  type JobKey,
} from "../../catalog";
import type { PostgresEngineDescriptor } from "../../catalog/engines";
import { JOB_PARAMETERS, type JobParameter } from "../../catalog/jobParameters";
import { wholeValue, type CommandDocument, type DocumentParameter } from "./ssmDocuments";

interface DocumentJobParameter extends DocumentParameter {
  /** Environment variable the job reads. */
  readonly env: string;
  /** The document value that means "leave the variable unset" (the job's own default). */
  readonly unsetWhen?: string;
}

type DocumentedJob = Exclude<DocumentKey, "install">;

interface DocumentSpec {
  readonly description: string;
}

/**
 * The document parameter that carries `p`, or none when no document exposes it. Flags, choices
 * and the confirmation leave the variable unset on their default (the job's own), checked values
 * and whole numbers when empty.
 */
function documentParameter(
  p: JobParameter,
  engine: PostgresEngineDescriptor,
): DocumentJobParameter | undefined {
  if (p.document === undefined) return undefined;
  const { env } = p;
  const { name } = p.document;
  switch (p.kind) {
    case "flag":
      return {
        name,
        env,
        description: p.document.description,
        default: p.default,
        allowedValues: ["no", "yes"],
        unsetWhen: p.default,
      };
    case "choice":
      return {
        name,
        env,
        description: p.document.description,
        default: p.default,
        allowedValues: p.values,
        ...(p.documentPassesDefault ? {} : { unsetWhen: p.default }),
      };
    case "confirm":
      return {
        name,
        env,
        description: p.document.description,
        default: "dry-run",
        allowedValues: ["dry-run", CONFIRM_VALUE],
        unsetWhen: "dry-run",
      };
    case "integer":
      if (p.min < 1)
        throw new Error(`document parameter '${name}': a minimum below 1 has no pattern`);
      return {
        name,
        env,
        description: p.document.description,
        default: "",
        allowedPattern: wholeValue(`(|[1-9][0-9]{0,${String(p.max).length - 1}})`),
        unsetWhen: "",
      };
    case "checked":
      return {
        name,
        env,
        description: p.document.description,
        ...(p.default === undefined ? {} : { default: p.default }),
        allowedPattern: wholeValue(p.pattern),
        ...(p.default === "" ? { unsetWhen: "" } : {}),
      };
    case "engine-checked":
      return {
        name,
        env,
        description: p.document.description(engine),
        default: p.default,
        allowedPattern: wholeValue(p.pattern(engine)),
        ...(p.default === "" ? { unsetWhen: "" } : {}),
      };
  }
}

function documentParameters(
  key: DocumentedJob,
  engine: PostgresEngineDescriptor,
): readonly DocumentJobParameter[] {
  const declared: Readonly<Record<string, JobParameter>> =
    key in JOB_PARAMETERS ? JOB_PARAMETERS[key as keyof typeof JOB_PARAMETERS] : {};
  return Object.values(declared).flatMap((p) => documentParameter(p, engine) ?? []);
}

function jobSpec(key: JobKey): DocumentSpec {
  const job = JOBS[key];
  return { description: `${key}: ${job.description}.` };
}

/** Every job and restore document's description and timeout. */
const SPECS: Readonly<Record<DocumentedJob, DocumentSpec>> = {
  "pg-backup": jobSpec("pg-backup"),
  "pg-verify": jobSpec("pg-verify"),
  "pg-restore-test": jobSpec("pg-restore-test"),
  "redis-backup": jobSpec("redis-backup"),
  "config-backup": jobSpec("config-backup"),
  "logs-ship": jobSpec("logs-ship"),
  cleanup: jobSpec("cleanup"),
  "health-check": jobSpec("health-check"),
  "pg-restore": {
    description:
      "pg-restore: point-in-time, named-backup or latest restore of PostgreSQL. Dry run unless Confirm is yes-restore.",
  },
  "redis-restore": {
    description:
      "redis-restore: puts a Redis dump back and checks its key count. Dry run unless Confirm is yes-restore.",
  },
  "config-restore": {
    description:
      "config-restore: puts a config set back, keeping replaced files aside, then restarts its services. Dry run unless Confirm is yes-restore.",
  },
};

function exportLine(p: DocumentJobParameter): string {
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
  key: DocumentedJob,
  engine: PostgresEngineDescriptor,
): CommandDocument {
  const spec = SPECS[key];
  const parameters = documentParameters(key, engine);
  const bundle = `${HOST_PATHS.jobsDir}/${key}.mjs`;
  return {
    description: spec.description,
    timeoutSeconds: documentTimeoutSeconds(key),
    parameters: parameters.map(({ env: _env, unsetWhen: _unset, ...p }) => p),
    script: [
      // STELLAR_BACKUP_ROOT and STELLAR_BACKUP_CONFIG are unset on hosts; the local sandbox sets them.
      'root="${STELLAR_BACKUP_ROOT:-}"',
      `job="$root${bundle}"`,
      `if [ ! -f "$job" ]; then echo "${key} is not installed on this host: run the ${documentName(stack, "install")} document first" >&2; exit 1; fi`,
      `export STELLAR_BACKUP_CONFIG="\${STELLAR_BACKUP_CONFIG:-$root${HOST_PATHS.configFile}}"`,
      ...parameters.map(exportLine),
      ...runLines(key),
    ],
  };
}
