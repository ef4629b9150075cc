/** The build-time check that a catalog job marked shipped has its entry file under scripts/jobs/. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { JOBS, SHIPPED_JOB_KEYS } from "../../infra/catalog";
import { requireShippedJobEntries, shippedJobsWithoutEntry } from "../../infra/build/shippedJobs";

test("the repository's scripts/jobs/ has an entry file for every shipped job", () => {
  expect(shippedJobsWithoutEntry()).toEqual([]);
  expect(() => requireShippedJobEntries()).not.toThrow();
});

test("a shipped job without its entry file fails the build, naming the job and the fix", () => {
  const dir = mkdtempSync(join(tmpdir(), "jobs-"));
  for (const key of SHIPPED_JOB_KEYS.filter((k) => k !== "logs-ship"))
    writeFileSync(join(dir, `${key}.ts`), "");
  expect(shippedJobsWithoutEntry(dir)).toEqual(["logs-ship"]);
  expect(() => requireShippedJobEntries(dir)).toThrow(
    `catalog job(s) marked shipped have no entry file: logs-ship (expected ${join(dir, "logs-ship.ts")}); add the entry file, or mark the job shipped: false with a notShippedReason in infra/catalog/jobs.ts`,
  );
});

test("jobs not shipped yet need no entry file, and say why", () => {
  expect(JOBS["pg-backup"]).toMatchObject({
    shipped: false,
    notShippedReason: expect.stringMatching(/engine/),
  });
  const dir = mkdtempSync(join(tmpdir(), "jobs-"));
  for (const key of SHIPPED_JOB_KEYS) writeFileSync(join(dir, `${key}.ts`), "");
  expect(shippedJobsWithoutEntry(dir)).toEqual([]);
});
