/**
 * Type tokens of the resources the policies look at. The policies compare tokens instead of
 * importing @pulumi/aws: the pack then loads (and ts-node type-checks) only what it needs, and the
 * same code runs on plan files, where resources are plain JSON.
 *
 * Where @pulumi/aws v7 still ships a deprecated `…V2` alias of a resource, both tokens count.
 */
export const AwsType = {
  bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  bucketVersioning: [
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
  ],
  bucketEncryption: [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  ],
  bucketPublicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  bucketPolicy: ["aws:s3/bucketPolicy:BucketPolicy"],
  bucketLogging: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"],
  bucketLifecycle: [
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
  ],
  bucketOwnershipControls: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
  bucketObjectLock: [
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
  ],
  bucketReplication: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
  iamRole: ["aws:iam/role:Role"],
  /** Attachments of a managed policy by ARN (`policyArn`). */
  iamPolicyAttachment: [
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
  ],
  /** Resources whose `policy` input is an identity policy document. */
  iamPolicyDocuments: [
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
  ],
  metricAlarm: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
  compositeAlarm: ["aws:cloudwatch/compositeAlarm:CompositeAlarm"],
  logGroup: ["aws:cloudwatch/logGroup:LogGroup"],
  schedule: ["aws:scheduler/schedule:Schedule"],
  snsTopic: ["aws:sns/topic:Topic"],
  snsTopicPolicy: ["aws:sns/topicPolicy:TopicPolicy"],
  ssmDocument: ["aws:ssm/document:Document"],
  dlmLifecyclePolicy: ["aws:dlm/lifecyclePolicy:LifecyclePolicy"],
  kmsAlias: ["aws:kms/alias:Alias"],
  ssmParameter: ["aws:ssm/parameter:Parameter"],
  bucketObject: ["aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject"],
} as const;

export type AwsKind = keyof typeof AwsType;

export function isKind(type: string, kind: AwsKind): boolean {
  return (AwsType[kind] as readonly string[]).includes(type);
}

/** The root resource Pulumi registers for every stack; its props are the stack's outputs. */
export const STACK_TYPE = "pulumi:pulumi:Stack";
