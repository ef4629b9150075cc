/**
 * IAM documents for the job schedules: the scheduler's execution role and the dead-letter queue.
 * Pure: plain ARNs in, deterministic JSON out.
 */
import type { HostTarget } from "../../catalog";
import { policyDocument, tlsOnly } from "./bucketPolicies";
import { serviceAssumeRolePolicy } from "./trustPolicies";

export interface SchedulerTrustInputs {
  readonly accountId: string;
  readonly scheduleGroupArn: string;
}

/** Only this account's schedules in this stack's group may assume the role (confused deputy). */
export function schedulerAssumeRolePolicy(inputs: SchedulerTrustInputs): string {
  return serviceAssumeRolePolicy("scheduler.amazonaws.com", {
    StringEquals: {
      "aws:SourceAccount": inputs.accountId,
      "aws:SourceArn": inputs.scheduleGroupArn,
    },
  });
}

export interface SchedulerPolicyInputs {
  readonly region: string;
  readonly accountId: string;
  /** The scheduled jobs' documents, and only those. */
  readonly documentArns: readonly string[];
  readonly hostTarget: HostTarget;
  readonly deadLetterQueueArn: string;
}

/**
 * Send these documents to instances carrying the host tag, and write undeliverable invocations to
 * the dead-letter queue (Scheduler delivers dead letters with the execution role). Nothing else.
 */
export function schedulerPolicy(inputs: SchedulerPolicyInputs): string {
  return policyDocument([
    {
      Sid: "SendScheduledJobDocuments",
      Effect: "Allow",
      Action: "ssm:SendCommand",
      Resource: [...inputs.documentArns].sort(),
    },
    {
      Sid: "SendToDatabaseHostsOnly",
      Effect: "Allow",
      Action: "ssm:SendCommand",
      Resource: `arn:aws:ec2:${inputs.region}:${inputs.accountId}:instance/*`,
      Condition: {
        StringEquals: {
          [`ssm:resourceTag/${inputs.hostTarget.tagKey}`]: inputs.hostTarget.tagValue,
        },
      },
    },
    {
      Sid: "DeliverDeadLetters",
      Effect: "Allow",
      Action: "sqs:SendMessage",
      Resource: inputs.deadLetterQueueArn,
    },
  ]);
}

/** The dead-letter queue takes messages from the scheduler's role only, and only over TLS. */
export function deadLetterQueuePolicy(inputs: {
  readonly queueArn: string;
  readonly schedulerRoleArn: string;
}): string {
  return policyDocument([
    {
      Sid: "SchedulerDeadLetters",
      Effect: "Allow",
      Principal: { AWS: inputs.schedulerRoleArn },
      Action: "sqs:SendMessage",
      Resource: inputs.queueArn,
    },
    tlsOnly("sqs", inputs.queueArn),
  ]);
}
