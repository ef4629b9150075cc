/**
 * The stack's alarms in ALARM, from CloudWatch's DescribeAlarms: every alarm the stack creates is
 * named `StellarBackup-<stack>-<key>` (infra/components/backupAlarms.ts), and its description ends
 * with its runbook section (`docs/runbook/alarms.md#alarm-<kind>`).
 */
import {
  DescribeAlarmsCommand,
  type CloudWatchClient,
  type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import { Dimension } from "../../../infra/catalog";
import { ALARM_KINDS, runbookLink } from "../../../infra/content/aws/alarmDefinitions";
import { stackPrefix } from "../../../infra/content/aws/resourceNames";

export interface FiringAlarm {
  readonly name: string;
  /** When it went into ALARM. */
  readonly since?: Date;
  /** CloudWatch's reason for the state. */
  readonly reason?: string;
  /** The runbook section its description links to; undefined when it links none. */
  readonly runbook?: string;
  /**
   * The one host it watches (a host's liveness alarm: `Host` among its dimensions); undefined for
   * an alarm on every host's series (a Metrics Insights query grouped by `Host`) or on an AWS metric.
   */
  readonly host?: string;
}

const RUNBOOK_LINKS = [...ALARM_KINDS, "command-failed" as const].map(runbookLink);

/** The runbook link `description` ends with, if it is one of the stack's. */
export function runbookOf(description: string | undefined): string | undefined {
  const text = description?.trimEnd() ?? "";
  return RUNBOOK_LINKS.find((link) => text.endsWith(link));
}

function firing(alarm: MetricAlarm): FiringAlarm {
  const host = alarm.Dimensions?.find((d) => d.Name === Dimension.host)?.Value;
  const runbook = runbookOf(alarm.AlarmDescription);
  return {
    name: alarm.AlarmName ?? "",
    ...(alarm.StateUpdatedTimestamp ? { since: alarm.StateUpdatedTimestamp } : {}),
    ...(alarm.StateReason ? { reason: alarm.StateReason } : {}),
    ...(runbook ? { runbook } : {}),
    ...(host ? { host } : {}),
  };
}

/**
 * The metric alarms of stack `stack` in ALARM (every page), sorted by name. Throws the SDK's
 * error when CloudWatch cannot be read.
 */
export async function readFiringAlarms(
  cloudWatch: CloudWatchClient,
  stack: string,
): Promise<FiringAlarm[]> {
  const alarms: FiringAlarm[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cloudWatch.send(
      new DescribeAlarmsCommand({
        AlarmNamePrefix: `${stackPrefix(stack)}-`,
        StateValue: "ALARM",
        AlarmTypes: ["MetricAlarm"],
        NextToken: nextToken,
      }),
    );
    alarms.push(...(page.MetricAlarms ?? []).map(firing));
    nextToken = page.NextToken;
  } while (nextToken);
  return alarms.sort((a, b) => a.name.localeCompare(b.name));
}
