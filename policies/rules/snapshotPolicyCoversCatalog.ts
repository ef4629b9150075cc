import { describeSeconds, parseScheduleExpression } from "../../infra/catalog";
import type {
  DlmCreateRuleProps,
  DlmPolicyDetailsProps,
  DlmPolicyProps,
  DlmRetainRuleProps,
  DlmScheduleProps,
} from "../lib/awsProps";
import { dlmOwnedRows } from "../lib/catalog";
import { stackPolicy } from "../lib/define";
import { isUnknown, list, record } from "../lib/known";
import {
  requiredRetentionDays,
  retentionConfigSchema,
  type RetentionConfig,
} from "../lib/retention";

const HOUR = 3600;
const DAY = 86400;
/** A month counts as 28 days, the shortest, so a retention in months is never overestimated. */
const RETAIN_UNIT_SECONDS: Readonly<Record<string, number>> = {
  DAYS: DAY,
  WEEKS: 7 * DAY,
  MONTHS: 28 * DAY,
  YEARS: 365 * DAY,
};

type Cadence = { ok: true; seconds: number } | { ok: false; reason: string } | { ok: "unknown" };

/** Longest time between two snapshots of a DLM schedule. */
function creationGap(createRule: unknown): Cadence {
  if (isUnknown(createRule)) return { ok: "unknown" };
  const rule = (record(createRule) ?? {}) as DlmCreateRuleProps;
  if ([rule.cronExpression, rule.interval, rule.intervalUnit].some(isUnknown))
    return { ok: "unknown" };
  if (typeof rule.cronExpression === "string" && rule.cronExpression !== "") {
    const parsed = parseScheduleExpression(rule.cronExpression);
    return parsed.ok
      ? { ok: true, seconds: parsed.maxGapSeconds }
      : { ok: false, reason: parsed.reason };
  }
  if (typeof rule.interval === "number" && rule.interval > 0 && rule.intervalUnit === "HOURS") {
    return { ok: true, seconds: rule.interval * HOUR };
  }
  return {
    ok: false,
    reason: "its createRule has neither a cronExpression nor an interval in HOURS",
  };
}

/** How long a DLM schedule keeps a snapshot: by age, or by count times the creation gap. */
function retention(retainRule: unknown, gapSeconds: number): Cadence {
  if (isUnknown(retainRule)) return { ok: "unknown" };
  const rule = (record(retainRule) ?? {}) as DlmRetainRuleProps;
  if ([rule.count, rule.interval, rule.intervalUnit].some(isUnknown)) return { ok: "unknown" };
  if (typeof rule.count === "number" && rule.count > 0)
    return { ok: true, seconds: rule.count * gapSeconds };
  const unit =
    typeof rule.intervalUnit === "string" ? RETAIN_UNIT_SECONDS[rule.intervalUnit] : undefined;
  if (typeof rule.interval === "number" && rule.interval > 0 && unit !== undefined) {
    return { ok: true, seconds: rule.interval * unit };
  }
  return { ok: false, reason: "its retainRule has neither a count nor an interval" };
}

export const snapshotPolicyCoversCatalog = stackPolicy({
  name: "backup-snapshot-policy-covers-catalog",
  description:
    "Each catalog row kept as EBS snapshots has an enabled DLM lifecycle policy with a schedule that " +
    "snapshots at least as often as the row's RPO and keeps each snapshot for at least the row's retention.",
  configSchema: retentionConfigSchema,
  validate: (view, args, report) => {
    const required = requiredRetentionDays(args.getConfig<RetentionConfig>());
    const policies = view
      .ofKind("dlmLifecyclePolicy")
      .filter((p) => (p.props as DlmPolicyProps).state !== "DISABLED");
    for (const row of dlmOwnedRows()) {
      const keepSeconds = required[row.key] * DAY;
      const problems: string[] = [];
      let satisfied = false;
      for (const policy of policies) {
        const details = (policy.props as DlmPolicyProps).policyDetails;
        const schedules = isUnknown(details)
          ? details
          : (record(details) as DlmPolicyDetailsProps | undefined)?.schedules;
        if (isUnknown(schedules)) {
          satisfied = true; // cannot judge during preview; the check runs again on the deployed outputs
          continue;
        }
        for (const entry of list(schedules)) {
          const schedule = (record(entry) ?? {}) as DlmScheduleProps;
          const label = `DLM policy '${policy.resource.name}' schedule ${JSON.stringify(schedule.name ?? "(unnamed)")}`;
          const gap = creationGap(schedule.createRule);
          if (gap.ok === "unknown") satisfied = true;
          if (gap.ok !== true) {
            if (gap.ok === false) problems.push(`${label}: ${gap.reason}`);
            continue;
          }
          const kept = retention(schedule.retainRule, gap.seconds);
          if (kept.ok === "unknown") satisfied = true;
          if (kept.ok !== true) {
            if (kept.ok === false) problems.push(`${label}: ${kept.reason}`);
            continue;
          }
          const often = gap.seconds <= row.rpoSeconds;
          const long = kept.seconds >= keepSeconds;
          if (often && long) satisfied = true;
          if (!often)
            problems.push(
              `${label} snapshots every ${describeSeconds(gap.seconds)}, less often than the RPO of ${describeSeconds(row.rpoSeconds)}`,
            );
          if (!long)
            problems.push(
              `${label} keeps snapshots ${describeSeconds(kept.seconds)}, less than ${required[row.key]} days`,
            );
        }
      }
      if (satisfied) continue;
      const detail = problems.length > 0 ? `: ${problems.join("; ")}` : "";
      report(
        `catalog row '${row.key}' (${row.title}) has no enabled DLM lifecycle policy that covers it${detail}`,
      );
    }
  },
});
