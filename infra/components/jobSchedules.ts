import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { JOBS, SHIPPED_JOB_KEYS, type JobKey, type ScheduleKey } from "../catalog";
import type { HostTarget } from "../catalog";
import {
  SEND_COMMAND_TARGET_ARN,
  documentArn,
  retryPolicy,
  scheduleInput,
} from "../content/aws/jobSchedule";
import { stackResourceName } from "../content/aws/resourceNames";
import {
  deadLetterQueuePolicy,
  schedulerAssumeRolePolicy,
  schedulerPolicy,
} from "../content/aws/schedulerPolicies";

export interface JobSchedulesArgs {
  readonly stack: string;
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  /** Validated expressions, per schedule key. */
  readonly schedules: Readonly<Record<ScheduleKey, string>>;
  /** IANA time zone the expressions are read in. */
  readonly timezone: string;
  readonly hostTarget: HostTarget;
  /**
   * The SSM document each job's schedule sends. HostConfiguration passes its documents' `name`
   * outputs, which also makes every schedule wait for its document.
   */
  readonly documentNames: Readonly<Record<JobKey, pulumi.Input<string>>>;
  /** Log group the SSM agent copies each run's output to; the hosts' role must be able to write it. */
  readonly outputLogGroupName: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

/** Days a dead letter waits for on-call: SQS's maximum, so a long weekend loses nothing. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 86_400;

/**
 * One EventBridge Scheduler schedule per catalog job, sending the job's SSM document to the hosts
 * carrying the host tag: explicit timezone, no flexible window, retries, a dead-letter queue, and a
 * role that may send only these documents to only those hosts.
 */
export class JobSchedules extends pulumi.ComponentResource {
  readonly group: aws.scheduler.ScheduleGroup;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly role: aws.iam.Role;
  /** One per shipped job (`SHIPPED_JOB_KEYS`). */
  readonly schedules: Readonly<Partial<Record<JobKey, aws.scheduler.Schedule>>>;
  readonly scheduleNames: pulumi.Output<Partial<Record<JobKey, string>>>;
  readonly deadLetterQueueName: pulumi.Output<string>;

  constructor(name: string, args: JobSchedulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:JobSchedules", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };

    this.group = new aws.scheduler.ScheduleGroup(
      `${name}-group`,
      { name: stackResourceName(args.stack, "jobs"), tags },
      child,
    );
    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dead-letters`,
      {
        name: stackResourceName(args.stack, "schedule-dead-letters"),
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
        tags,
      },
      child,
    );
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description:
          "EventBridge Scheduler: sends the backup jobs' SSM documents to the database hosts",
        assumeRolePolicy: pulumi
          .all([args.accountId, this.group.arn])
          .apply(([accountId, scheduleGroupArn]) =>
            schedulerAssumeRolePolicy({ accountId, scheduleGroupArn }),
          ),
        tags,
      },
      child,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.id,
        policy: pulumi
          .all([
            args.accountId,
            this.deadLetterQueue.arn,
            pulumi.all(SHIPPED_JOB_KEYS.map((job) => args.documentNames[job])),
          ])
          .apply(([accountId, deadLetterQueueArn, names]) =>
            schedulerPolicy({
              region: args.region,
              accountId,
              documentArns: names.map((n) => documentArn(args.region, accountId, n)),
              hostTarget: args.hostTarget,
              deadLetterQueueArn,
            }),
          ),
      },
      child,
    );
    const queuePolicy = new aws.sqs.QueuePolicy(
      `${name}-dead-letters-policy`,
      {
        queueUrl: this.deadLetterQueue.url,
        policy: pulumi
          .all([this.deadLetterQueue.arn, this.role.arn])
          .apply(([queueArn, schedulerRoleArn]) =>
            deadLetterQueuePolicy({ queueArn, schedulerRoleArn }),
          ),
      },
      child,
    );

    // Only shipped jobs: a schedule for a job with no bundle on the hosts fails every run.
    const schedules: Partial<Record<JobKey, aws.scheduler.Schedule>> = {};
    for (const job of SHIPPED_JOB_KEYS) {
      const expression = args.schedules[JOBS[job].scheduleKey];
      schedules[job] = new aws.scheduler.Schedule(
        `${name}-${job}`,
        {
          name: stackResourceName(args.stack, job),
          groupName: this.group.name,
          description: JOBS[job].description,
          scheduleExpression: expression,
          scheduleExpressionTimezone: args.timezone,
          // Runs start on the minute: a backup window and its alarms assume it.
          flexibleTimeWindow: { mode: "OFF" },
          state: "ENABLED",
          target: {
            arn: SEND_COMMAND_TARGET_ARN,
            roleArn: this.role.arn,
            input: pulumi
              .all([args.documentNames[job], args.outputLogGroupName])
              .apply(([documentName, outputLogGroupName]) =>
                scheduleInput({
                  job,
                  stack: args.stack,
                  documentName,
                  hostTarget: args.hostTarget,
                  outputLogGroupName,
                }),
              ),
            retryPolicy: retryPolicy(expression, args.timezone),
            deadLetterConfig: { arn: this.deadLetterQueue.arn },
          },
        },
        // A schedule that fires before its role can send fills the dead-letter queue.
        { ...child, dependsOn: [rolePolicy, queuePolicy] },
      );
    }
    this.schedules = schedules;
    this.scheduleNames = pulumi
      .all(SHIPPED_JOB_KEYS.map((job) => (schedules[job] as aws.scheduler.Schedule).name))
      .apply((names) => Object.fromEntries(SHIPPED_JOB_KEYS.map((job, i) => [job, names[i]])));
    this.deadLetterQueueName = this.deadLetterQueue.name;
    this.registerOutputs({
      scheduleNames: this.scheduleNames,
      deadLetterQueueName: this.deadLetterQueueName,
    });
  }
}
