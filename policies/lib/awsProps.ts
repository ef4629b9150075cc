/**
 * The fields the policies read, per resource type, as they appear in resource inputs (resource
 * policies) and outputs (stack policies). Values stay `unknown` here: readers narrow them and decide
 * what an unknown (`UNKNOWN`) value means. `test/policies/awsProps.typecheck.ts` checks that every
 * key below is a real @pulumi/aws v7 argument name, so a typo cannot make a check silently pass.
 */

export interface BucketProps {
  bucket?: unknown;
  tags?: unknown;
}

/** Every bucket-level resource names its bucket in `bucket` (the bucket's name, which is its id). */
export interface BucketLevelProps {
  bucket?: unknown;
}

export interface BucketVersioningProps extends BucketLevelProps {
  versioningConfiguration?: unknown;
}
export interface VersioningConfigurationProps {
  status?: unknown;
}

export interface BucketObjectLockProps extends BucketLevelProps {
  objectLockEnabled?: unknown;
  rule?: unknown;
}
export interface ObjectLockRuleProps {
  defaultRetention?: unknown;
}
export interface ObjectLockRetentionProps {
  mode?: unknown;
  days?: unknown;
  years?: unknown;
}

export interface BucketReplicationProps extends BucketLevelProps {
  rules?: unknown;
}
export interface ReplicationRuleProps {
  id?: unknown;
  status?: unknown;
  deleteMarkerReplication?: unknown;
  sourceSelectionCriteria?: unknown;
  destination?: unknown;
}
export interface ReplicationDestinationProps {
  bucket?: unknown;
  encryptionConfiguration?: unknown;
}

export interface BucketEncryptionProps extends BucketLevelProps {
  rules?: unknown;
}
export interface EncryptionRuleProps {
  applyServerSideEncryptionByDefault?: unknown;
}
export interface EncryptionByDefaultProps {
  sseAlgorithm?: unknown;
  kmsMasterKeyId?: unknown;
}

export interface BucketPublicAccessBlockProps extends BucketLevelProps {
  blockPublicAcls?: unknown;
  blockPublicPolicy?: unknown;
  ignorePublicAcls?: unknown;
  restrictPublicBuckets?: unknown;
}

export interface BucketPolicyProps extends BucketLevelProps {
  policy?: unknown;
}

export interface BucketLoggingProps extends BucketLevelProps {
  targetBucket?: unknown;
}

export interface BucketLifecycleProps extends BucketLevelProps {
  rules?: unknown;
}
export interface LifecycleRuleProps {
  id?: unknown;
  status?: unknown;
  /** Deprecated rule-level prefix; `filter` replaces it. */
  prefix?: unknown;
  filter?: unknown;
  expiration?: unknown;
}
export interface LifecycleFilterProps {
  prefix?: unknown;
  and?: unknown;
  tag?: unknown;
  objectSizeGreaterThan?: unknown;
  objectSizeLessThan?: unknown;
}
export interface LifecycleFilterAndProps {
  prefix?: unknown;
  tags?: unknown;
  objectSizeGreaterThan?: unknown;
  objectSizeLessThan?: unknown;
}
export interface LifecycleExpirationProps {
  days?: unknown;
  date?: unknown;
}

export interface PolicyDocumentHolderProps {
  policy?: unknown;
}
export interface RoleProps {
  inlinePolicies?: unknown;
  managedPolicyArns?: unknown;
}
export interface PolicyAttachmentProps {
  policyArn?: unknown;
}
export interface RoleInlinePolicyProps {
  name?: unknown;
  policy?: unknown;
}

export interface AlarmProps {
  actionsEnabled?: unknown;
  alarmActions?: unknown;
  okActions?: unknown;
}
export interface MetricAlarmProps extends AlarmProps {
  metricName?: unknown;
  dimensions?: unknown;
  metricQueries?: unknown;
  treatMissingData?: unknown;
}
export interface MetricQueryProps {
  metric?: unknown;
  /** A metric math expression or a Metrics Insights query. */
  expression?: unknown;
}
export interface MetricQueryMetricProps {
  metricName?: unknown;
  dimensions?: unknown;
}

export interface LogGroupProps {
  retentionInDays?: unknown;
}

export interface ScheduleProps {
  state?: unknown;
  scheduleExpression?: unknown;
  scheduleExpressionTimezone?: unknown;
  target?: unknown;
}
export interface ScheduleTargetProps {
  input?: unknown;
  deadLetterConfig?: unknown;
  retryPolicy?: unknown;
}
export interface ScheduleDeadLetterConfigProps {
  arn?: unknown;
}
export interface ScheduleRetryPolicyProps {
  maximumRetryAttempts?: unknown;
}

export interface SnsTopicProps {
  kmsMasterKeyId?: unknown;
}

export interface SsmDocumentProps {
  name?: unknown;
  content?: unknown;
  documentFormat?: unknown;
}

export interface SsmParameterProps {
  name?: unknown;
  type?: unknown;
}

export interface KmsAliasProps {
  name?: unknown;
}

export interface BucketObjectProps {
  key?: unknown;
  content?: unknown;
}

export interface DlmPolicyProps {
  state?: unknown;
  policyDetails?: unknown;
}
export interface DlmPolicyDetailsProps {
  resourceTypes?: unknown;
  schedules?: unknown;
}
export interface DlmScheduleProps {
  name?: unknown;
  createRule?: unknown;
  retainRule?: unknown;
}
export interface DlmCreateRuleProps {
  interval?: unknown;
  intervalUnit?: unknown;
  cronExpression?: unknown;
}
export interface DlmRetainRuleProps {
  count?: unknown;
  interval?: unknown;
  intervalUnit?: unknown;
}
