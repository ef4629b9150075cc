/**
 * The PostgreSQL backup plan: which kind of backup a scheduled pg-backup run takes in the S3
 * repository. A full backup every `fullEveryDays` days, and on the runs between, a
 * `betweenFulls` backup: a differential (the files changed since the newest full) or an
 * incremental (since the newest backup of any kind). The runbook's plan, a full every day, is the
 * default; docs/backup-plans.md gives the recommended one and the figures behind it.
 *
 * The kind is decided by the age of the newest full in the repository, not by the weekday: a full
 * that failed is taken again on the next run instead of leaving a week of differentials on an old
 * one, and a repository with no full gets one whatever the plan says.
 *
 * Pure module: no Pulumi import, so host jobs can bundle it.
 */
import type { BackupKind } from "./engines/descriptor";

/** What a scheduled run takes between two fulls. */
export type BetweenFullsKind = Exclude<BackupKind, "full">;
export const BETWEEN_FULLS_KINDS: readonly BetweenFullsKind[] = ["differential", "incremental"];

export interface BackupPlan {
  /** Days from one full backup to the next (1: every run takes a full, as the runbook does). */
  readonly fullEveryDays: number;
  /** The kind the runs between two fulls take; absent exactly when `fullEveryDays` is 1. */
  readonly betweenFulls?: BetweenFullsKind;
}

/** The runbook's plan: a full backup on every (daily) run. */
export const RUNBOOK_BACKUP_PLAN: BackupPlan = { fullEveryDays: 1 };

/**
 * How much earlier than a whole number of days a scheduled run may start than the full it counts
 * from: a full that started at 02:00:05 is due again on the run seven days on, which may start at
 * 02:00:01. Larger than any start jitter, smaller than a day between daily runs.
 */
export const RUN_START_SLACK_HOURS = 6;

/** The kind a run takes, and why, in words for its log and summary. */
export interface BackupKindDecision {
  readonly kind: BackupKind;
  readonly reason: string;
}

/**
 * The kind a scheduled run takes under `plan`, given when the repository's newest full backup
 * started (absent: the repository holds none). `now` and `newestFullStartedAt` are instants;
 * a full is due when the newest one started at least `fullEveryDays` days (less
 * `RUN_START_SLACK_HOURS`) before `now`.
 */
export function backupKindDue(
  plan: BackupPlan,
  newestFullStartedAt: Date | undefined,
  now: Date,
): BackupKindDecision {
  if (plan.betweenFulls === undefined || plan.fullEveryDays <= 1)
    return { kind: "full", reason: "the plan takes a full backup on every run" };
  if (newestFullStartedAt === undefined)
    return { kind: "full", reason: "the repository holds no full backup yet" };
  const ageHours = (now.getTime() - newestFullStartedAt.getTime()) / 3_600_000;
  const dueHours = plan.fullEveryDays * 24 - RUN_START_SLACK_HOURS;
  const age = `the newest full started ${(ageHours / 24).toFixed(1)} days ago`;
  if (ageHours >= dueHours)
    return { kind: "full", reason: `${age}; the plan takes one every ${plan.fullEveryDays} days` };
  return {
    kind: plan.betweenFulls,
    reason: `${age}; the plan takes a full every ${plan.fullEveryDays} days and a ${plan.betweenFulls} on the runs between`,
  };
}

/** The plan in a few words, for summaries and docs: "a full every 7 days, a differential between". */
export function describeBackupPlan(plan: BackupPlan): string {
  if (plan.betweenFulls === undefined || plan.fullEveryDays <= 1) return "a full backup every run";
  return `a full backup every ${plan.fullEveryDays} days, a ${plan.betweenFulls} on the runs between`;
}

/**
 * Why the newest full backup is overdue under `plan`, or undefined: overdue once a day has passed
 * since the run it was due on (`fullEveryDays` + 1 days, less `RUN_START_SLACK_HOURS`), so the
 * run that should have taken it has failed or not run. A plan of a full every run is left to the
 * backup age rule, which is stricter.
 */
export function fullBackupOverdue(
  plan: BackupPlan,
  newestFull: { readonly name: string; readonly startedAt: Date },
  now: Date,
): string | undefined {
  if (plan.betweenFulls === undefined || plan.fullEveryDays <= 1) return undefined;
  const ageHours = (now.getTime() - newestFull.startedAt.getTime()) / 3_600_000;
  if (ageHours < (plan.fullEveryDays + 1) * 24 - RUN_START_SLACK_HOURS) return undefined;
  return `the newest full backup ${newestFull.name} started ${(ageHours / 24).toFixed(1)} days ago, and the plan takes one every ${plan.fullEveryDays} days: pg-backup has not taken the full that was due (its runs between keep building on the old one)`;
}
