/**
 * Names of the SSM documents the stack creates, shared by the documents themselves
 * (HostConfiguration), the schedules that send them (JobSchedules), the failure-event rule and the
 * sandbox that runs their shell steps locally.
 *
 * Pure module: no Pulumi import.
 */
import { JOBS, type JobKey } from "./jobs";

/** Operator-run restores: destructive, dry run by default. */
export const RESTORE_KEYS = ["pg-restore", "redis-restore", "config-restore"] as const;
export type RestoreKey = (typeof RESTORE_KEYS)[number];

/** How long SSM lets each restore document run before it kills the job, in seconds. */
export const RESTORE_TIMEOUT_SECONDS: Readonly<Record<RestoreKey, number>> = {
  "pg-restore": 6 * 3600,
  "redis-restore": 3600,
  "config-restore": 1800,
};

/** The `executionTimeout` of a job's or restore's SSM document, in seconds. */
export function documentTimeoutSeconds(key: JobKey | RestoreKey): number {
  return key in RESTORE_TIMEOUT_SECONDS
    ? RESTORE_TIMEOUT_SECONDS[key as RestoreKey]
    : JOBS[key as JobKey].timeoutSeconds;
}

/**
 * How long a run may work before it stops itself to report, in seconds: its document's timeout
 * less max(60 s, 5 %). SSM kills a job at the timeout without a word from it; stopping first
 * leaves time for the on-call line, the failure metrics and the run record.
 */
export function runDeadlineSeconds(key: JobKey | RestoreKey): number {
  const timeout = documentTimeoutSeconds(key);
  return timeout - Math.max(60, Math.ceil(timeout / 20));
}

/**
 * The one value a destructive job or document acts on (`CONFIRM` / `Confirm`); anything else is a
 * dry run or refused, so "yes" out of habit changes nothing.
 */
export const CONFIRM_VALUE = "yes-restore";

/** Every document: the installer, one per job, one per restore. */
export type DocumentKey = "install" | JobKey | RestoreKey;

/** `StellarBackup-prod-pg-backup`: SSM document names allow letters, digits, `_ - .`. */
export function documentName(stack: string, key: DocumentKey): string {
  return `StellarBackup-${stack}-${key}`;
}

/** Where the installed host artifacts live on a host. */
export const HOST_PATHS = {
  /** Generated config files (host config, the PostgreSQL engine's config). */
  configDir: "/etc/stellar-insights-backup",
  /** Queues the engines keep on local disk (asynchronous WAL archiving). */
  spoolDir: "/var/spool/stellar-insights-backup",
  /** Logs of the tools the jobs run (the jobs themselves log to stdout, kept by SSM). */
  logDir: "/var/log/stellar-insights-backup",
  /** The generated host config file every job reads. */
  configFile: "/etc/stellar-insights-backup/host-config.json",
  /** Bundled jobs, one `<job>.mjs` each. */
  jobsDir: "/opt/stellar-insights-backup/jobs",
  /** Locks that keep two runs of a job from overlapping. */
  lockDir: "/run/stellar-insights-backup",
  /** What a job must remember between runs (shipped log files, last config hash). */
  stateDir: "/var/lib/stellar-insights-backup",
} as const;
