import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ACCESS_LOG_BUCKET_SUFFIX, BUCKET_ROLE_TAG, BucketRole } from "../catalog";
import type { ObjectLockSettings } from "../catalog";
import { accessLogBucketPolicy } from "../content/aws/bucketPolicies";
import type { LifecycleInputs } from "../content/aws/lifecycleRules";
import { blockPublicAccess, hardenedBucket } from "./hardenedBucket";

/** Prefix of the backup bucket's server access logs inside the log bucket. */
export const ACCESS_LOG_PREFIX = "s3-access/";

export interface BackupBucketArgs {
  /** Globally unique S3 name, already validated as DNS-compatible. */
  readonly bucketName: string;
  /** Retention per catalog row, from which the lifecycle rules are derived. */
  readonly lifecycle: LifecycleInputs;
  readonly accessLogRetentionDays: number;
  /** S3 Object Lock's default retention (stack config `objectLock`); absent: no lock. */
  readonly objectLock?: ObjectLockSettings;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The bucket every backup lands in: SSE-KMS with a rotating customer-managed key, versioned,
 * never public, TLS only, access-logged to a separate bucket, lifecycle from the catalog, Object
 * Lock when the stack sets it, and protected from `pulumi destroy` (see `hardenedBucket`).
 */
export class BackupBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly kmsKey: aws.kms.Key;
  /** Replication needs versioning first. */
  readonly versioning: aws.s3.BucketVersioning;
  readonly logBucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:BackupBucket", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };

    this.logBucket = new aws.s3.Bucket(
      `${name}-access-logs`,
      {
        bucket: `${args.bucketName}${ACCESS_LOG_BUCKET_SUFFIX}`,
        forceDestroy: false,
        tags: { ...tags, [BUCKET_ROLE_TAG]: BucketRole.accessLogs },
      },
      child,
    );
    const logBlock = blockPublicAccess(`${name}-access-logs`, this.logBucket, child);
    // S3 server access logs can only be delivered to a bucket encrypted with SSE-S3.
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-access-logs-encryption`,
      {
        bucket: this.logBucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-access-logs-lifecycle`,
      {
        bucket: this.logBucket.id,
        rules: [
          {
            id: "access-logs-retention",
            status: "Enabled",
            filter: { prefix: ACCESS_LOG_PREFIX },
            expiration: { days: args.accessLogRetentionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      child,
    );

    const hardened = hardenedBucket(
      name,
      {
        bucketName: args.bucketName,
        role: BucketRole.backups,
        lifecycle: args.lifecycle,
        ...(args.objectLock ? { objectLock: args.objectLock } : {}),
        tags,
      },
      this,
    );
    this.bucket = hardened.bucket;
    this.kmsKey = hardened.kmsKey;
    this.versioning = hardened.versioning;
    new aws.s3.BucketPolicy(
      `${name}-access-logs-policy`,
      {
        bucket: this.logBucket.id,
        policy: pulumi
          .all([this.logBucket.arn, this.bucket.arn])
          .apply(([logBucketArn, sourceBucketArn]) =>
            accessLogBucketPolicy({ logBucketArn, sourceBucketArn, logPrefix: ACCESS_LOG_PREFIX }),
          ),
      },
      { ...child, dependsOn: [logBlock] },
    );
    new aws.s3.BucketLogging(
      `${name}-logging`,
      {
        bucket: this.bucket.id,
        targetBucket: this.logBucket.id,
        targetPrefix: ACCESS_LOG_PREFIX,
        targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
      },
      child,
    );
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    this.kmsKeyArn = this.kmsKey.arn;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      kmsKeyArn: this.kmsKeyArn,
    });
  }
}
