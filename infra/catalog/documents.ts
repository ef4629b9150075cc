/**
 * Names of the SSM documents the stack creates, shared by the documents themselves
 * (HostConfiguration), the schedules that send them (JobSchedules), the failure-event rule and the
 * sandbox that runs their shell steps locally.
 *
 * Pure module: no Pulumi import.
 */
import type { JobKey } from "./jobs";

/** Operator-run restores: destructive, dry run by default. */
export const RESTORE_KEYS = ["pg-restore", "redis-restore", "config-restore"] as const;
export type RestoreKey = (typeof RESTORE_KEYS)[number];

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
