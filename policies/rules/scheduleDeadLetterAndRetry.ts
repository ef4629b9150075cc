import type {
  ScheduleDeadLetterConfigProps,
  ScheduleProps,
  ScheduleRetryPolicyProps,
  ScheduleTargetProps,
} from "../lib/awsProps";
import { resourcePolicy } from "../lib/define";
import { isUnknown, record, text } from "../lib/known";

export const scheduleDeadLetterAndRetry = resourcePolicy({
  name: "backup-schedule-dead-letter-and-retry",
  description:
    "Every EventBridge Scheduler schedule retries its target and sends what it finally could not " +
    "deliver to a dead-letter queue: otherwise a throttled or failed invocation skips a backup silently.",
  kinds: ["schedule"],
  check: (props) => {
    const target = (props as ScheduleProps).target;
    if (isUnknown(target)) return [];
    const t = record(target) as ScheduleTargetProps | undefined;
    if (t === undefined) return ["has no target"];
    const problems: string[] = [];
    if (!isUnknown(t.deadLetterConfig)) {
      const arn = text(
        (record(t.deadLetterConfig) as ScheduleDeadLetterConfigProps | undefined)?.arn,
      );
      if (arn === undefined)
        problems.push("target has no deadLetterConfig with a queue ARN: undeliverable runs vanish");
    }
    if (!isUnknown(t.retryPolicy)) {
      const retry = record(t.retryPolicy) as ScheduleRetryPolicyProps | undefined;
      if (retry === undefined)
        problems.push("target has no retryPolicy: state the retries a backup run deserves");
      else if (retry.maximumRetryAttempts === 0)
        problems.push(
          "target retryPolicy has maximumRetryAttempts 0: one throttled call skips the run",
        );
    }
    return problems;
  },
});
