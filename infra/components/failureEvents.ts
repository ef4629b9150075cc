import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { commandFailureMessage, commandFailurePattern } from "../content/aws/failureEvents";
import { stackResourceName } from "../content/aws/resourceNames";

export interface FailureEventsArgs {
  readonly stack: string;
  /** The on-call topic (Paging). */
  readonly topicArn: pulumi.Input<string>;
  /** The SSM documents whose failed runs page: the scheduled jobs' (and any others passed). */
  readonly documentNames: readonly pulumi.Input<string>[];
  /** Where the run's output is, for the page's text. */
  readonly outputLogGroupName: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Pages within minutes when a job's command fails, times out or is cancelled on a host. Scheduler's
 * retries and dead-letter queue only cover starting the command; this covers how it ended.
 */
export class FailureEvents extends pulumi.ComponentResource {
  readonly rule: aws.cloudwatch.EventRule;

  constructor(name: string, args: FailureEventsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:FailureEvents", name, {}, opts);
    const child = { parent: this };

    this.rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        // The topic policy admits rules named with the stack's prefix only.
        name: stackResourceName(args.stack, "job-command-failed"),
        description: "A backup job's SSM command ended Failed, TimedOut or Cancelled on a host",
        eventPattern: pulumi
          .all([...args.documentNames])
          .apply((names) => commandFailurePattern(names)),
        tags: { ...args.tags },
      },
      child,
    );
    const message = pulumi
      .output(args.outputLogGroupName)
      .apply((outputLogGroupName) =>
        commandFailureMessage({ stack: args.stack, outputLogGroupName }),
      );
    new aws.cloudwatch.EventTarget(
      `${name}-page`,
      {
        rule: this.rule.name,
        arn: args.topicArn,
        inputTransformer: { inputPaths: message.inputPaths, inputTemplate: message.inputTemplate },
      },
      child,
    );
    this.registerOutputs({ ruleName: this.rule.name });
  }
}
