/**
 * The stack config key `postgresBackupPlan` (infra/catalog/backupPlan.ts says what a plan is):
 * `fullEveryDays` and `betweenFulls`. The key's own rules sit on it; `backupPlanProblems` relates
 * it to the keys it depends on (the engine's backup kinds, PostgreSQL's retention). Pure: tested
 * through `validateStackConfig`.
 */
import * as v from "valibot";
import {
  BETWEEN_FULLS_KINDS,
  RUNBOOK_BACKUP_PLAN,
  type BackupPlan,
  type BetweenFullsKind,
} from "../catalog/backupPlan";
import type { PostgresEngineDescriptor } from "../catalog/engines";
import { MAX_DAYS } from "../catalog/schema/parts";
import { mapCount, pathItem, yamlMap } from "./configParts";

const FULL_EVERY_DAYS_MESSAGE =
  "must be a whole number of days from 1 to retentionDays.postgres (the days PostgreSQL's backups are kept)";
const BETWEEN_FULLS_MESSAGE = `must be one of ${BETWEEN_FULLS_KINDS.join(", ")}`;

/** The key, spread into the stack config's schema. */
export const backupPlanEntry = {
  postgresBackupPlan: v.exactOptional(
    yamlMap(
      {
        fullEveryDays: mapCount(1, MAX_DAYS, FULL_EVERY_DAYS_MESSAGE),
        betweenFulls: v.exactOptional(v.picklist(BETWEEN_FULLS_KINDS, BETWEEN_FULLS_MESSAGE)),
      },
      "unknown field; allowed: fullEveryDays, betweenFulls",
      { fullEveryDays: FULL_EVERY_DAYS_MESSAGE },
    ),
  ),
};

type PlanFields = {
  readonly postgresBackupPlan?: {
    readonly fullEveryDays: number;
    readonly betweenFulls?: BetweenFullsKind;
  };
};

export interface BackupPlanProblem {
  readonly message: string;
  readonly path: [v.IssuePathItem, ...v.IssuePathItem[]];
}

/**
 * The rules that relate the plan to other keys, run when the plan passed its own rules: runs
 * between fulls need their kind and a plan of daily fulls has none; the kind must be one the
 * engine takes (its descriptor's `backupKinds`); and a full must come round within PostgreSQL's
 * retention (`postgresRetentionDays`, when valid), or the recoverable window would hang on a full
 * older than the promise.
 */
export function backupPlanProblems(args: {
  readonly fields: PlanFields & Record<string, unknown>;
  readonly engine: PostgresEngineDescriptor | undefined;
  readonly postgresRetentionDays: number | undefined;
}): BackupPlanProblem[] {
  const { fields } = args;
  const plan = fields.postgresBackupPlan;
  if (plan === undefined) return [];
  const at = (key: keyof BackupPlan, value: unknown): BackupPlanProblem["path"] => [
    pathItem(fields, "postgresBackupPlan", plan),
    pathItem({ ...plan }, key, value),
  ];
  const problems: BackupPlanProblem[] = [];
  if (plan.fullEveryDays > 1 && plan.betweenFulls === undefined)
    problems.push({
      message: `is missing: with a full every ${plan.fullEveryDays} days, the runs between take a ${BETWEEN_FULLS_KINDS.join(" or ")}; allowed: ${BETWEEN_FULLS_KINDS.join(", ")}`,
      path: at("betweenFulls", undefined),
    });
  if (plan.fullEveryDays === 1 && plan.betweenFulls !== undefined)
    problems.push({
      message:
        "is not used: with fullEveryDays 1 every run takes a full; remove it or raise fullEveryDays",
      path: at("betweenFulls", plan.betweenFulls),
    });
  const { engine } = args;
  if (engine && plan.betweenFulls !== undefined && !engine.backupKinds.includes(plan.betweenFulls))
    problems.push({
      message: `is not a kind ${engine.title} takes; allowed: ${engine.backupKinds.filter((k) => k !== "full").join(", ") || "none (full backups only)"}`,
      path: at("betweenFulls", plan.betweenFulls),
    });
  const retention = args.postgresRetentionDays;
  if (retention !== undefined && plan.fullEveryDays > retention)
    problems.push({
      message: `must be at most ${retention} (the days PostgreSQL's backups are kept): a full must come round within the retention it serves`,
      path: at("fullEveryDays", plan.fullEveryDays),
    });
  return problems;
}

/** The plan, defaulted to the runbook's (a full every run). */
export function backupPlanOf(fields: PlanFields): BackupPlan {
  const plan = fields.postgresBackupPlan;
  if (plan === undefined) return RUNBOOK_BACKUP_PLAN;
  return {
    fullEveryDays: plan.fullEveryDays,
    ...(plan.betweenFulls !== undefined ? { betweenFulls: plan.betweenFulls } : {}),
  };
}
