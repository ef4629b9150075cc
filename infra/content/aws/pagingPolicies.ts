/**
 * Policies of the on-call topic and its KMS key. Pure: plain ARNs in, deterministic JSON out.
 */
import { policyDocument } from "./bucketPolicies";

/** The two services that page: CloudWatch alarm actions and EventBridge rules. */
export const PAGING_SERVICES = ["cloudwatch.amazonaws.com", "events.amazonaws.com"] as const;

/**
 * The account administers the key (as every key policy must, or the key becomes unmanageable);
 * CloudWatch and EventBridge may use it to publish to the encrypted topic. AWS documents these two
 * grants without conditions: the services call KMS through SNS, where source conditions are not
 * guaranteed to be present, and a key that refuses an alarm silently loses the page.
 */
export function pagingKeyPolicy(inputs: { readonly accountId: string }): string {
  return policyDocument([
    {
      Sid: "AccountAdministersKey",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${inputs.accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "AlarmsAndRulesEncryptPages",
      Effect: "Allow",
      Principal: { Service: [...PAGING_SERVICES] },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
    },
  ]);
}

export interface TopicPolicyInputs {
  readonly topicArn: string;
  readonly accountId: string;
  readonly region: string;
  /** Name prefix of this stack's alarms and rules (`StellarBackup-prod`). */
  readonly namePrefix: string;
}

/**
 * Publish rights for exactly two principals: this stack's CloudWatch alarms and its EventBridge
 * rules, each pinned to this account and to this stack's name prefix. There is no account-wide
 * statement (the default topic policy's), so the topic's resource policy grants nobody else.
 */
export function pagingTopicPolicy(inputs: TopicPolicyInputs): string {
  const fromThisStack = (arnPattern: string) => ({
    ArnLike: { "aws:SourceArn": arnPattern },
    StringEquals: { "aws:SourceAccount": inputs.accountId },
  });
  const { region, accountId, namePrefix } = inputs;
  return policyDocument([
    {
      Sid: "CloudWatchAlarmsOfThisStack",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: inputs.topicArn,
      Condition: fromThisStack(`arn:aws:cloudwatch:${region}:${accountId}:alarm:${namePrefix}-*`),
    },
    {
      Sid: "EventBridgeRulesOfThisStack",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sns:Publish",
      Resource: inputs.topicArn,
      Condition: fromThisStack(`arn:aws:events:${region}:${accountId}:rule/${namePrefix}-*`),
    },
  ]);
}
