/**
 * The build-time half of "a job the catalog schedules must exist": a catalog job is marked shipped
 * exactly when its entry file `scripts/jobs/<key>.ts` exists. Checked before anything is bundled:
 * neither synth nor `pulumi up` schedules and alarms a job the hosts cannot run, nor silently
 * leaves a written job (a backup) unscheduled and unwatched because nobody flipped its flag.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { JOB_KEYS, JOBS, unshippedJobs, type Job, type JobKey } from "../catalog";
import { JOBS_SOURCE_DIR } from "./bundleJobs";

const entryOf = (sourceDir: string, key: JobKey) => join(sourceDir, `${key}.ts`);

/** The catalog's jobs (a test may pass a variant: the mechanism must work when every job ships). */
type Catalog = Readonly<Record<JobKey, Job>>;

/** Shipped jobs with no entry file under `sourceDir`, in catalog order. */
export function shippedJobsWithoutEntry(
  sourceDir = JOBS_SOURCE_DIR,
  jobs: Catalog = JOBS,
): JobKey[] {
  return JOB_KEYS.filter((key) => jobs[key].shipped && !existsSync(entryOf(sourceDir, key)));
}

/** Jobs marked not shipped whose entry file exists under `sourceDir`, in catalog order. */
export function unshippedJobsWithEntry(
  sourceDir = JOBS_SOURCE_DIR,
  jobs: Catalog = JOBS,
): JobKey[] {
  return JOB_KEYS.filter((key) => !jobs[key].shipped && existsSync(entryOf(sourceDir, key)));
}

/** @throws Error naming every job whose shipped flag disagrees with its entry file, and the fix. */
export function requireShippedJobEntries(sourceDir = JOBS_SOURCE_DIR, jobs: Catalog = JOBS): void {
  const problems = [
    ...shippedJobsWithoutEntry(sourceDir, jobs).map(
      (key) =>
        `${key} is marked shipped but has no entry file ${entryOf(sourceDir, key)}: add it, or mark the job shipped: false with a notShippedReason`,
    ),
    ...unshippedJobsWithEntry(sourceDir, jobs).map(
      (key) =>
        `${key} has its entry file ${entryOf(sourceDir, key)} but is marked shipped: false, so it would be neither scheduled nor alarmed: mark it shipped: true`,
    ),
  ];
  if (problems.length === 0) return;
  throw new Error(`catalog jobs (infra/catalog/jobs.ts): ${problems.join("; ")}`);
}

/** One line per job that is not shipped yet, for the synth summary. */
export function unshippedSummary(): string[] {
  return unshippedJobs().map(({ key, reason }) => `${key}: ${reason}`);
}
