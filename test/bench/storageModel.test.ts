/** The 30-day storage model: fulls and between-fulls backups a window holds under a plan. */
import { describe, expect, test } from "vitest";
import { RUNBOOK_BACKUP_PLAN } from "../../infra/catalog/backupPlan";
import { windowStorage } from "../../scripts/sandbox/bench/storageModel";

const WEEKLY = { fullEveryDays: 7, betweenFulls: "differential" } as const;

describe("storage for a window of daily runs", () => {
  test("the runbook's plan keeps a full for every day", () => {
    expect(windowStorage(RUNBOOK_BACKUP_PLAN, 30, 1000, 50)).toEqual({
      fulls: 30,
      betweenFulls: 0,
      bytes: 30_000,
    });
  });

  test("a weekly full over 30 days: ceil(30/7) = 5 fulls (days 1, 8, 15, 22, 29) and 25 differentials", () => {
    expect(windowStorage(WEEKLY, 30, 1000, 50)).toEqual({
      fulls: 5,
      betweenFulls: 25,
      bytes: 5 * 1000 + 25 * 50,
    });
  });

  test("a window of whole weeks holds one full a week", () => {
    expect(windowStorage(WEEKLY, 28, 700, 10)).toEqual({
      fulls: 4,
      betweenFulls: 24,
      bytes: 4 * 700 + 24 * 10,
    });
  });

  test("a plan with no kind between fulls takes a full on every run, whatever its period", () => {
    expect(windowStorage({ fullEveryDays: 7 }, 10, 100, 1).fulls).toBe(10);
  });

  test.each([0, 2.5, -1])("a window of %d days is refused", (days) => {
    expect(() => windowStorage(WEEKLY, days, 1, 1)).toThrow(
      `a storage window of ${days} days is not a whole number of days >= 1`,
    );
  });

  test("a plan period below one day is refused", () => {
    expect(() =>
      windowStorage({ fullEveryDays: 0, betweenFulls: "differential" }, 30, 1, 1),
    ).toThrow("a full every 0 days is not a whole number of days >= 1");
  });
});
