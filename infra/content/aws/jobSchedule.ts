/**
 * What each job's EventBridge Scheduler schedule sends and how it retries. Pure.
 */
import { JOBS, parseScheduleExpression, type JobKey } from "../../catalog";
import type { HostTarget } from "../../catalog";
import { sendCommandInput } from "./sendCommand";

/** Scheduler's universal target for SSM's SendCommand API. */
export const SEND_COMMAND_TARGET_ARN = "arn:aws:scheduler:::aws-sdk:ssm:sendCommand";

export interface RetryPolicy {
  readonly maximumEventAgeInSeconds: number;
  readonly maximumRetryAttempts: number;
}

/**
 * Scheduler retries only its own SendCommand call (throttling, an SSM outage). Retrying is worth it
 * until the next run is due, and never longer than an hour: a backup started hours late collides
 * with the day's traffic and the next run. Scheduler accepts 60 s to 1 day.
 */
export function retryPolicy(expression: string, timezone = "UTC"): RetryPolicy {
  const parsed = parseScheduleExpression(expression, { timezone });
  if (!parsed.ok)
    throw new Error(`schedule '${expression}' must be validated first: ${parsed.reason}`);
  return {
    maximumEventAgeInSeconds: Math.max(60, Math.min(parsed.maxGapSeconds, 3600)),
    maximumRetryAttempts: 10,
  };
}

export interface ScheduleInputInputs {
  readonly job: JobKey;
  readonly stack: string;
  readonly documentName: string;
  readonly hostTarget: HostTarget;
  readonly outputLogGroupName: string;
}

/** The SendCommand request (Scheduler's target input) for one job. */
export function scheduleInput(inputs: ScheduleInputInputs): string {
  return sendCommandInput({
    documentName: inputs.documentName,
    hostTarget: inputs.hostTarget,
    timeoutSeconds: JOBS[inputs.job].timeoutSeconds,
    outputLogGroupName: inputs.outputLogGroupName,
    comment: `${inputs.stack}: scheduled ${inputs.job}`,
  });
}

/** `arn:aws:ssm:<region>:<account>:document/<name>`. */
export function documentArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:document/${name}`;
}
