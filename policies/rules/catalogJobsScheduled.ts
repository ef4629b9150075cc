import {
  BACKUP_TYPES,
  describeSeconds,
  documentName,
  JOBS,
  SHIPPED_JOB_KEYS,
  parseScheduleExpression,
} from "../../infra/catalog";
import type { ScheduleProps, ScheduleTargetProps } from "../lib/awsProps";
import { stackPolicy } from "../lib/define";
import { isUnknown, record, type Field } from "../lib/known";
import type { ViewResource } from "../lib/stackView";

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  const object = record(value);
  return object ? Object.values(object).flatMap(strings) : [];
}

/** Every string in the target's input (JSON for the `aws-sdk:ssm:sendCommand` universal target). */
function inputStrings(schedule: ViewResource): Field<string[]> {
  const target = (schedule.props as ScheduleProps).target;
  if (isUnknown(target)) return target;
  const input = (record(target) as ScheduleTargetProps | undefined)?.input;
  if (isUnknown(input)) return input;
  if (typeof input !== "string") return [];
  try {
    return strings(JSON.parse(input));
  } catch {
    return [input];
  }
}

/** A document is sent by name, or by ARN (`arn:aws:ssm:<region>:<account>:document/<name>`). */
function sendsDocument(values: readonly string[], document: string): boolean {
  return values.some((v) => v === document || v.endsWith(`:document/${document}`));
}

export const catalogJobsScheduled = stackPolicy({
  name: "backup-catalog-jobs-scheduled",
  description:
    "Every job of the catalog has an enabled EventBridge Scheduler schedule that sends its SSM document, " +
    "and a backup job's schedule leaves no gap longer than its row's RPO: a job nobody schedules never runs.",
  validate: (view, args, report) => {
    const stack = view.stackName();
    if (stack === undefined) return args.notApplicable("no resource URN names the stack");
    const schedules = view
      .ofKind("schedule")
      .filter((s) => (s.props as ScheduleProps).state !== "DISABLED")
      .map((s): { schedule: ViewResource; values: Field<string[]> } => ({
        schedule: s,
        values: inputStrings(s),
      }));
    const undetermined = schedules.some((s) => isUnknown(s.values));
    const readable: { schedule: ViewResource; values: string[] }[] = [];
    for (const { schedule, values } of schedules)
      if (!isUnknown(values)) readable.push({ schedule, values });
    for (const key of SHIPPED_JOB_KEYS) {
      const job = JOBS[key];
      const document = documentName(stack, key);
      const sending = readable.filter((s) => sendsDocument(s.values, document));
      if (sending.length === 0 && !undetermined) {
        report(
          `catalog job '${key}' (${job.description}) has no enabled schedule that sends SSM document '${document}'`,
        );
      }
      if (job.backupType === undefined) continue;
      const row = BACKUP_TYPES[job.backupType];
      for (const { schedule } of sending) {
        const props = schedule.props as ScheduleProps;
        const expression = props.scheduleExpression;
        const zone = props.scheduleExpressionTimezone;
        if (isUnknown(expression) || isUnknown(zone)) continue;
        // Scheduler reads the expression in its time zone (UTC when none is set).
        const timezone = typeof zone === "string" && zone !== "" ? zone : "UTC";
        const parsed = parseScheduleExpression(String(expression), { timezone });
        if (!parsed.ok) {
          report(
            `schedule of job '${key}' has expression ${JSON.stringify(expression)} that cannot be read: ${parsed.reason}`,
            schedule.resource.urn,
          );
        } else if (parsed.maxGapSeconds > row.rpoSeconds) {
          report(
            `schedule of job '${key}' (${String(expression)}, ${timezone}) leaves up to ${describeSeconds(parsed.maxGapSeconds)} ` +
              `between runs, longer than the '${row.key}' RPO of ${describeSeconds(row.rpoSeconds)}`,
            schedule.resource.urn,
          );
        }
      }
    }
  },
});
