/**
 * Compile-time check (run by `npm run typecheck`, not by vitest): every field the policies read
 * (policies/lib/awsProps.ts) is a real argument of the @pulumi/aws v7 resource it belongs to. A
 * misspelt optional field would otherwise read as "absent" and make a check silently pass or fail.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type * as P from "../../policies/lib/awsProps";

type KeysOf<T> = keyof NonNullable<pulumi.Unwrap<T>>;
/** `true` when every key of `Mine` is a key of `Real`; otherwise the keys that are not. */
type OnlyRealKeys<Mine, Real> =
  Exclude<keyof Mine, KeysOf<Real>> extends never ? true : Exclude<keyof Mine, KeysOf<Real>>;

/** Fails to compile unless `T` is exactly `true`. */
function expectReal<T extends true>(): T | void {}

expectReal<OnlyRealKeys<P.BucketProps, aws.s3.BucketArgs>>();
expectReal<OnlyRealKeys<P.PolicyAttachmentProps, aws.iam.RolePolicyAttachmentArgs>>();
expectReal<OnlyRealKeys<P.PolicyAttachmentProps, aws.iam.PolicyAttachmentArgs>>();
expectReal<OnlyRealKeys<P.BucketVersioningProps, aws.s3.BucketVersioningArgs>>();
expectReal<
  OnlyRealKeys<
    P.VersioningConfigurationProps,
    aws.types.input.s3.BucketVersioningVersioningConfiguration
  >
>();
expectReal<OnlyRealKeys<P.BucketObjectLockProps, aws.s3.BucketObjectLockConfigurationArgs>>();
expectReal<
  OnlyRealKeys<P.ObjectLockRuleProps, aws.types.input.s3.BucketObjectLockConfigurationRule>
>();
expectReal<
  OnlyRealKeys<
    P.ObjectLockRetentionProps,
    aws.types.input.s3.BucketObjectLockConfigurationRuleDefaultRetention
  >
>();
expectReal<OnlyRealKeys<P.BucketReplicationProps, aws.s3.BucketReplicationConfigArgs>>();
expectReal<OnlyRealKeys<P.ReplicationRuleProps, aws.types.input.s3.BucketReplicationConfigRule>>();
expectReal<
  OnlyRealKeys<
    P.ReplicationDestinationProps,
    aws.types.input.s3.BucketReplicationConfigRuleDestination
  >
>();
expectReal<
  OnlyRealKeys<P.BucketEncryptionProps, aws.s3.BucketServerSideEncryptionConfigurationArgs>
>();
expectReal<
  OnlyRealKeys<
    P.EncryptionRuleProps,
    aws.types.input.s3.BucketServerSideEncryptionConfigurationRule
  >
>();
expectReal<
  OnlyRealKeys<
    P.EncryptionByDefaultProps,
    aws.types.input.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefault
  >
>();
expectReal<OnlyRealKeys<P.BucketPublicAccessBlockProps, aws.s3.BucketPublicAccessBlockArgs>>();
expectReal<OnlyRealKeys<P.BucketPolicyProps, aws.s3.BucketPolicyArgs>>();
expectReal<OnlyRealKeys<P.BucketLoggingProps, aws.s3.BucketLoggingArgs>>();
expectReal<OnlyRealKeys<P.BucketLifecycleProps, aws.s3.BucketLifecycleConfigurationArgs>>();
expectReal<
  OnlyRealKeys<P.LifecycleRuleProps, aws.types.input.s3.BucketLifecycleConfigurationRule>
>();
expectReal<
  OnlyRealKeys<P.LifecycleFilterProps, aws.types.input.s3.BucketLifecycleConfigurationRuleFilter>
>();
expectReal<
  OnlyRealKeys<
    P.LifecycleFilterAndProps,
    aws.types.input.s3.BucketLifecycleConfigurationRuleFilterAnd
  >
>();
expectReal<
  OnlyRealKeys<
    P.LifecycleExpirationProps,
    aws.types.input.s3.BucketLifecycleConfigurationRuleExpiration
  >
>();

expectReal<OnlyRealKeys<P.PolicyDocumentHolderProps, aws.iam.RolePolicyArgs>>();
expectReal<OnlyRealKeys<P.PolicyDocumentHolderProps, aws.iam.PolicyArgs>>();
expectReal<OnlyRealKeys<P.PolicyDocumentHolderProps, aws.iam.UserPolicyArgs>>();
expectReal<OnlyRealKeys<P.PolicyDocumentHolderProps, aws.iam.GroupPolicyArgs>>();
expectReal<OnlyRealKeys<P.RoleProps, aws.iam.RoleArgs>>();
expectReal<OnlyRealKeys<P.RoleInlinePolicyProps, aws.types.input.iam.RoleInlinePolicy>>();

expectReal<OnlyRealKeys<P.AlarmProps, aws.cloudwatch.CompositeAlarmArgs>>();
expectReal<OnlyRealKeys<P.MetricAlarmProps, aws.cloudwatch.MetricAlarmArgs>>();
expectReal<OnlyRealKeys<P.MetricQueryProps, aws.types.input.cloudwatch.MetricAlarmMetricQuery>>();
expectReal<
  OnlyRealKeys<P.MetricQueryMetricProps, aws.types.input.cloudwatch.MetricAlarmMetricQueryMetric>
>();
expectReal<OnlyRealKeys<P.LogGroupProps, aws.cloudwatch.LogGroupArgs>>();

expectReal<OnlyRealKeys<P.ScheduleProps, aws.scheduler.ScheduleArgs>>();
expectReal<OnlyRealKeys<P.ScheduleTargetProps, aws.types.input.scheduler.ScheduleTarget>>();
expectReal<
  OnlyRealKeys<
    P.ScheduleDeadLetterConfigProps,
    aws.types.input.scheduler.ScheduleTargetDeadLetterConfig
  >
>();
expectReal<
  OnlyRealKeys<P.ScheduleRetryPolicyProps, aws.types.input.scheduler.ScheduleTargetRetryPolicy>
>();

expectReal<OnlyRealKeys<P.SnsTopicProps, aws.sns.TopicArgs>>();
expectReal<OnlyRealKeys<P.SsmDocumentProps, aws.ssm.DocumentArgs>>();

expectReal<OnlyRealKeys<P.DlmPolicyProps, aws.dlm.LifecyclePolicyArgs>>();
expectReal<
  OnlyRealKeys<P.DlmPolicyDetailsProps, aws.types.input.dlm.LifecyclePolicyPolicyDetails>
>();
expectReal<
  OnlyRealKeys<P.DlmScheduleProps, aws.types.input.dlm.LifecyclePolicyPolicyDetailsSchedule>
>();
expectReal<
  OnlyRealKeys<
    P.DlmCreateRuleProps,
    aws.types.input.dlm.LifecyclePolicyPolicyDetailsScheduleCreateRule
  >
>();
expectReal<
  OnlyRealKeys<
    P.DlmRetainRuleProps,
    aws.types.input.dlm.LifecyclePolicyPolicyDetailsScheduleRetainRule
  >
>();
expectReal<OnlyRealKeys<P.SsmParameterProps, aws.ssm.ParameterArgs>>();
expectReal<OnlyRealKeys<P.KmsAliasProps, aws.kms.AliasArgs>>();
expectReal<OnlyRealKeys<P.BucketObjectProps, aws.s3.BucketObjectv2Args>>();
