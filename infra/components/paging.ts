import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { pagingKeyPolicy, pagingTopicPolicy } from "../content/aws/pagingPolicies";
import { stackPrefix, stackResourceName } from "../content/aws/resourceNames";

export interface PagingArgs {
  readonly stack: string;
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  /** At least one of the two is set (stack config validation). */
  readonly alertEmail?: string;
  readonly alertHttpsEndpoint?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The on-call topic: SNS encrypted with its own rotating KMS key that CloudWatch and EventBridge
 * may use, published to only by this stack's alarms and rules, delivering to the stack's e-mail
 * and/or HTTPS (paging service) endpoints.
 */
export class Paging extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly topic: aws.sns.Topic;
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: PagingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:Paging", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the on-call topic of ${stackPrefix(args.stack)}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.output(args.accountId).apply((accountId) =>
          pagingKeyPolicy({
            accountId,
            region: args.region,
            namePrefix: stackPrefix(args.stack),
          }),
        ),
        tags,
      },
      child,
    );
    new aws.kms.Alias(
      `${name}-key-alias`,
      { name: `alias/${stackResourceName(args.stack, "paging")}`, targetKeyId: this.key.keyId },
      child,
    );
    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      {
        name: stackResourceName(args.stack, "oncall"),
        displayName: `Stellar Insights backups (${args.stack})`,
        kmsMasterKeyId: this.key.arn,
        tags,
      },
      child,
    );
    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: this.topic.arn,
        policy: pulumi.all([this.topic.arn, args.accountId]).apply(([topicArn, accountId]) =>
          pagingTopicPolicy({
            topicArn,
            accountId,
            region: args.region,
            namePrefix: stackPrefix(args.stack),
          }),
        ),
      },
      child,
    );
    if (args.alertEmail !== undefined) {
      new aws.sns.TopicSubscription(
        `${name}-email`,
        { topic: this.topic.arn, protocol: "email", endpoint: args.alertEmail },
        child,
      );
    }
    if (args.alertHttpsEndpoint !== undefined) {
      new aws.sns.TopicSubscription(
        `${name}-https`,
        {
          topic: this.topic.arn,
          protocol: "https",
          // A paging service's endpoint URL carries its integration key: keep it out of state.
          endpoint: pulumi.secret(args.alertHttpsEndpoint),
          // Paging services confirm SNS subscriptions themselves; one that does not fails the
          // update instead of leaving a pager that never rings.
          endpointAutoConfirms: true,
        },
        child,
      );
    }

    this.topicArn = this.topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
