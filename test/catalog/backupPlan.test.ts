/** Which kind a scheduled pg-backup run takes under a plan, by the age of the newest full. */
import { expect, test } from "vitest";
import {
  backupKindDue,
  fullBackupOverdue,
  RUNBOOK_BACKUP_PLAN,
} from "../../infra/catalog/backupPlan";

const WEEKLY = { fullEveryDays: 7, betweenFulls: "differential" } as const;
const FULL_STARTED = new Date("2026-11-29T02:00:05Z");
const at = (iso: string) => new Date(iso);

test("the runbook's plan takes a full on every run", () => {
  expect(backupKindDue(RUNBOOK_BACKUP_PLAN, FULL_STARTED, at("2026-11-30T02:00:01Z"))).toEqual({
    kind: "full",
    reason: "the plan takes a full backup on every run",
  });
});

test("a repository with no full gets one whatever the plan", () => {
  expect(backupKindDue(WEEKLY, undefined, at("2026-11-30T02:00:01Z")).kind).toBe("full");
});

test("the runs between two fulls take the plan's kind, saying why", () => {
  expect(backupKindDue(WEEKLY, FULL_STARTED, at("2026-11-30T02:00:01Z"))).toEqual({
    kind: "differential",
    reason:
      "the newest full started 1.0 days ago; the plan takes a full every 7 days and a differential on the runs between",
  });
  expect(backupKindDue(WEEKLY, FULL_STARTED, at("2026-12-05T02:00:01Z")).kind).toBe("differential");
});

test("the run seven days on takes a full even when it starts a few seconds earlier in the day", () => {
  expect(backupKindDue(WEEKLY, FULL_STARTED, at("2026-12-06T02:00:01Z")).kind).toBe("full");
});

test("a full that failed is taken on the next run, not a week later", () => {
  // The Sunday full failed: Monday's run finds the newest full 8 days old.
  expect(backupKindDue(WEEKLY, FULL_STARTED, at("2026-12-07T02:00:01Z"))).toEqual({
    kind: "full",
    reason: "the newest full started 8.0 days ago; the plan takes one every 7 days",
  });
});

test("a full is overdue once the run after the one it was due on has passed, naming it", () => {
  const full = { name: "20261129-020000F", startedAt: FULL_STARTED };
  expect(fullBackupOverdue(WEEKLY, full, at("2026-12-06T02:30:00Z"))).toBeUndefined();
  expect(fullBackupOverdue(WEEKLY, full, at("2026-12-07T04:00:00Z"))).toBe(
    "the newest full backup 20261129-020000F started 8.1 days ago, and the plan takes one every 7 days: pg-backup has not taken the full that was due (its runs between keep building on the old one)",
  );
  // Daily fulls are the backup age rule's, which is stricter.
  expect(fullBackupOverdue(RUNBOOK_BACKUP_PLAN, full, at("2026-12-07T04:00:00Z"))).toBeUndefined();
});
