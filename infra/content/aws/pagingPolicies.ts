/**
 * Policies of the on-call topic and its KMS key. Pure: plain ARNs in, deterministic JSON out.
 */
import { policyDocument, tlsOnly } from "./bucketPolicies";

/** The two services that page: CloudWatch alarm actions and EventBridge rules. */
export const PAGING_SERVICES = ["cloudwatch.amazonaws.com", "events.amazonaws.com"] as const;

export interface PagingKeyPolicyInputs {
  readonly accountId: string;
  readonly region: string;
  /** Name prefix of this stack's alarms and rules (`StellarBackup-prod`). */
  readonly namePrefix: string;
}

/**
 * The account administers the key (as every key policy must, or the key becomes unmanageable);
 * CloudWatch and EventBridge may use it to publish to the encrypted topic (SNS developer guide,
 * "Enable compatibility between event sources from AWS services and encrypted topics").
 *
 * CloudWatch's grant is pinned to this account's alarms of this stack (`aws:SourceAccount`,
 * `aws:SourceArn`), against the confused deputy. EventBridge's is not: AWS documents that its
 * delivery to an encrypted topic does not carry `aws:SourceAccount` / `aws:SourceArn` to KMS, so
 * such a condition would refuse every rule's page, silently. The topic policy pins EventBridge to
 * this stack's rules instead.
 */
export function pagingKeyPolicy(inputs: PagingKeyPolicyInputs): string {
  const { accountId, region, namePrefix } = inputs;
  const encrypt = ["kms:Decrypt", "kms:GenerateDataKey*"];
  return policyDocument([
    {
      Sid: "AccountAdministersKey",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "AlarmsOfThisStackEncryptPages",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: encrypt,
      Resource: "*",
      Condition: fromThisStack(
        accountId,
        `arn:aws:cloudwatch:${region}:${accountId}:alarm:${namePrefix}-*`,
      ),
    },
    {
      Sid: "RulesEncryptPages",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: encrypt,
      Resource: "*",
    },
  ]);
}

/** The confused-deputy guard: a service acts for this account and for resources matching `arnPattern`. */
function fromThisStack(accountId: string, arnPattern: string) {
  return {
    ArnLike: { "aws:SourceArn": arnPattern },
    StringEquals: { "aws:SourceAccount": accountId },
  };
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
 * Every request over plain HTTP is denied (`aws:SecureTransport`), as on the bucket and queue.
 */
export function pagingTopicPolicy(inputs: TopicPolicyInputs): string {
  const { region, accountId, namePrefix } = inputs;
  return policyDocument([
    {
      Sid: "CloudWatchAlarmsOfThisStack",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: inputs.topicArn,
      Condition: fromThisStack(
        accountId,
        `arn:aws:cloudwatch:${region}:${accountId}:alarm:${namePrefix}-*`,
      ),
    },
    {
      Sid: "EventBridgeRulesOfThisStack",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sns:Publish",
      Resource: inputs.topicArn,
      Condition: fromThisStack(
        accountId,
        `arn:aws:events:${region}:${accountId}:rule/${namePrefix}-*`,
      ),
    },
    tlsOnly("sns", inputs.topicArn),
  ]);
}
