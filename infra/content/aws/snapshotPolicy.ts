/**
 * The runbook's weekly system snapshots as a Data Lifecycle Manager policy. Pure: the DLM policy
 * details as plain values (the `aws.dlm.LifecyclePolicy` input shape).
 */
import type { HostTarget } from "../../catalog";

export interface SnapshotPolicyInputs {
  /** `schedules.snapshots`: DLM reads it in UTC, whatever the stack's timezone. */
  readonly cronExpression: string;
  /** `retentionDays.snapshots`: each snapshot set is deleted this many days after it was taken. */
  readonly retainDays: number;
  readonly hostTarget: HostTarget;
  readonly stack: string;
}

/** Tag DLM puts on every snapshot it takes for this stack. */
export const SNAPSHOT_POLICY_TAG = "stellar-insights:snapshot-policy";

export function snapshotPolicyDetails(inputs: SnapshotPolicyInputs) {
  if (!/^cron\(.*\)$/.test(inputs.cronExpression)) {
    throw new Error(`DLM takes a cron(...) expression, got '${inputs.cronExpression}'`);
  }
  return {
    policyType: "EBS_SNAPSHOT_MANAGEMENT",
    // Whole instances: one crash-consistent set of all of a host's volumes, as "system snapshot" means.
    resourceTypes: ["INSTANCE"],
    targetTags: { [inputs.hostTarget.tagKey]: inputs.hostTarget.tagValue },
    parameters: { excludeBootVolume: false },
    schedules: [
      {
        name: "weekly-system-snapshots",
        createRule: { cronExpression: inputs.cronExpression },
        retainRule: { interval: inputs.retainDays, intervalUnit: "DAYS" },
        copyTags: true,
        tagsToAdd: { [SNAPSHOT_POLICY_TAG]: inputs.stack },
        variableTags: { "instance-id": "$(instance-id)" },
      },
    ],
  };
}
