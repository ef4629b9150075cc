/** The build-time check that a catalog job is marked shipped exactly when scripts/jobs/ has its entry file. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { JOBS, SHIPPED_JOB_KEYS } from "../../infra/catalog";
import {
  requireShippedJobEntries,
  shippedJobsWithoutEntry,
  unshippedJobsWithEntry,
} from "../../infra/build/shippedJobs";

/** A jobs directory holding an entry file for each of `keys`. */
function jobsDir(keys: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "jobs-"));
  for (const key of keys) writeFileSync(join(dir, `${key}.ts`), "");
  return dir;
}

test("the repository's scripts/jobs/ agrees with the catalog's shipped flags", () => {
  expect(shippedJobsWithoutEntry()).toEqual([]);
  expect(unshippedJobsWithEntry()).toEqual([]);
  expect(() => requireShippedJobEntries()).not.toThrow();
});

test("a shipped job without its entry file fails the build, naming the job and the fix", () => {
  const dir = jobsDir(SHIPPED_JOB_KEYS.filter((k) => k !== "logs-ship"));
  expect(shippedJobsWithoutEntry(dir)).toEqual(["logs-ship"]);
  expect(() => requireShippedJobEntries(dir)).toThrow(
    `catalog jobs (infra/catalog/jobs.ts): logs-ship is marked shipped but has no entry file ${join(dir, "logs-ship.ts")}: add it, or mark the job shipped: false with a notShippedReason`,
  );
});

test("a written job still marked not shipped fails the build too: it would silently go unscheduled", () => {
  // Every job ships today: a catalog where one is still marked unshipped stands for the mistake.
  const catalog = {
    ...JOBS,
    "pg-restore-test": {
      ...JOBS["pg-restore-test"],
      shipped: false as const,
      notShippedReason: "waits",
    },
  };
  const dir = jobsDir(SHIPPED_JOB_KEYS);
  expect(unshippedJobsWithEntry(dir, catalog)).toEqual(["pg-restore-test"]);
  expect(() => requireShippedJobEntries(dir, catalog)).toThrow(
    `catalog jobs (infra/catalog/jobs.ts): pg-restore-test has its entry file ${join(dir, "pg-restore-test.ts")} but is marked shipped: false, so it would be neither scheduled nor alarmed: mark it shipped: true`,
  );
});

test("jobs not shipped yet need no entry file", () => {
  const catalog = {
    ...JOBS,
    "pg-restore-test": {
      ...JOBS["pg-restore-test"],
      shipped: false as const,
      notShippedReason: "waits",
    },
  };
  const written = SHIPPED_JOB_KEYS.filter((k) => k !== "pg-restore-test");
  expect(() => requireShippedJobEntries(jobsDir(written), catalog)).not.toThrow();
});
