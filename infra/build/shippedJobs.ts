/**
 * The build-time half of "a job the catalog schedules must exist": every catalog job marked
 * shipped has its entry file `scripts/jobs/<key>.ts`. Checked before anything is bundled, so
 * neither synth nor `pulumi up` schedules and alarms a job the hosts cannot run.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { JOB_KEYS, JOBS, unshippedJobs, type JobKey } from "../catalog";
import { JOBS_SOURCE_DIR } from "./bundleJobs";

/** Shipped jobs with no entry file under `sourceDir`, in catalog order. */
export function shippedJobsWithoutEntry(sourceDir = JOBS_SOURCE_DIR): JobKey[] {
  return JOB_KEYS.filter((key) => JOBS[key].shipped && !existsSync(join(sourceDir, `${key}.ts`)));
}

/** @throws Error naming each shipped job whose entry file is missing, and what to do. */
export function requireShippedJobEntries(sourceDir = JOBS_SOURCE_DIR): void {
  const missing = shippedJobsWithoutEntry(sourceDir);
  if (missing.length === 0) return;
  throw new Error(
    `catalog job(s) marked shipped have no entry file: ${missing
      .map((key) => `${key} (expected ${join(sourceDir, `${key}.ts`)})`)
      .join(
        ", ",
      )}; add the entry file, or mark the job shipped: false with a notShippedReason in infra/catalog/jobs.ts`,
  );
}

/** One line per job that is not shipped yet, for the synth summary. */
export function unshippedSummary(): string[] {
  return unshippedJobs().map(({ key, reason }) => `${key}: ${reason}`);
}
