/**
 * Errors a job reports to the person on call. The message says what went wrong in words; the hint
 * says what to look at or do next.
 */
import { BUSY_EXIT_CODE } from "../../../infra/catalog/jobs";

export class JobError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "JobError";
  }
}

/** Bad parameters or config: nothing was touched. */
export class UsageError extends JobError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = "UsageError";
  }
}

/** Exit codes of every job. Health-check adds 1 (warning) and 2 (critical), as the runbook's script. */
export const EXIT = {
  ok: 0,
  failed: 1,
  /** Parameters or host config are wrong; nothing was done. */
  usage: 64,
  /**
   * Another live run of the same job holds the lock: this run did nothing and published only
   * JobSkippedBusy. Not a failure (sysexits' EX_TEMPFAIL: try again later); the scheduled jobs'
   * SSM documents report it as success so that an overlap does not page.
   */
  busy: BUSY_EXIT_CODE,
} as const;

export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(errorMessage).join("; ");
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
