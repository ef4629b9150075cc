/**
 * Every job and restore stops itself before SSM would kill it: its run deadline leaves at least a
 * minute (5 % of longer timeouts) of its document's `executionTimeout` for the failure to be told.
 */
import { describe, expect, test } from "vitest";
import {
  JOB_KEYS,
  RESTORE_KEYS,
  documentTimeoutSeconds,
  runDeadlineSeconds,
} from "../../infra/catalog";
import { PGBACKREST } from "../../infra/catalog/engines/pgbackrest";
import { jobDocument } from "../../infra/content/host/jobDocuments";

describe("run deadlines", () => {
  test.each([...JOB_KEYS, ...RESTORE_KEYS])(
    "%s stops at least a minute before its document's timeout",
    (key) => {
      const timeout = documentTimeoutSeconds(key);
      const margin = timeout - runDeadlineSeconds(key);
      expect(margin).toBeGreaterThanOrEqual(60);
      expect(margin).toBeGreaterThanOrEqual(timeout / 20);
      expect(margin).toBeLessThan(timeout / 2);
    },
  );

  test.each([...JOB_KEYS, ...RESTORE_KEYS])(
    "%s: its document's timeout is the one its deadline is taken from",
    (key) => {
      expect(jobDocument("prod", key, PGBACKREST).timeoutSeconds).toBe(documentTimeoutSeconds(key));
    },
  );

  test("a 6-hour restore stops 18 minutes early; a 5-minute job one minute early", () => {
    expect(runDeadlineSeconds("pg-restore")).toBe(6 * 3600 - 18 * 60);
    expect(documentTimeoutSeconds("health-check")).toBe(300);
    expect(runDeadlineSeconds("health-check")).toBe(240);
  });
});
