/**
 * The EventBridge pattern and page text for a job run that failed on a host. Scheduler's retries
 * cover only its own API call; whether the command then succeeded is an SSM event. Pure.
 */
import { stableJson } from "../../catalog/stableJson";
import { runbookLink } from "./alarmDefinitions";

/** Run Command invocation states that mean the job did not do its work. */
export const FAILED_COMMAND_STATUSES = ["Cancelled", "Failed", "TimedOut"] as const;

export const COMMAND_FAILED_RUNBOOK_LINK = runbookLink("command-failed");

/** One invocation (one host) of one of these documents ended badly. */
export function commandFailurePattern(documentNames: readonly string[]): string {
  return stableJson({
    source: ["aws.ssm"],
    "detail-type": ["EC2 Command Invocation Status-change Notification"],
    detail: {
      "document-name": [...new Set(documentNames)].sort(),
      status: [...FAILED_COMMAND_STATUSES],
    },
  });
}

export interface FailureMessage {
  readonly inputPaths: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
}

/** A sentence on-call can act on at 3 a.m., instead of the raw event. */
export function commandFailureMessage(inputs: {
  readonly stack: string;
  readonly outputLogGroupName: string;
}): FailureMessage {
  const text =
    `[${inputs.stack}] Backup job <document> ended <status> on host <instance> at <time> (command <command>). ` +
    `Its output is in CloudWatch Logs group ${inputs.outputLogGroupName}, stream prefix <command>/<instance>. ` +
    `What to do: ${COMMAND_FAILED_RUNBOOK_LINK}`;
  return {
    inputPaths: {
      command: "$.detail.command-id",
      document: "$.detail.document-name",
      instance: "$.detail.instance-id",
      status: "$.detail.status",
      time: "$.time",
    },
    // A JSON string: SNS delivers it as the message text.
    inputTemplate: JSON.stringify(text),
  };
}
