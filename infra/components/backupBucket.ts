import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ACCESS_LOG_BUCKET_SUFFIX, BUCKET_ROLE_TAG, BucketRole } from "../catalog";
import { backupKeyAlias } from "../catalog/clientSideEncryption";
import { accessLogBucketPolicy, backupBucketPolicy } from "../content/aws/bucketPolicies";
import {
  lifecycleRules,
  toAwsLifecycleRules,
  type LifecycleInputs,
} from "../content/aws/lifecycleRules";

/** Prefix of the backup bucket's server access logs inside the log bucket. */
export const ACCESS_LOG_PREFIX = "s3-access/";

export interface BackupBucketArgs {
  /** Globally unique S3 name, already validated as DNS-compatible. */
  readonly bucketName: string;
  /** Retention per catalog row, from which the lifecycle rules are derived. */
  readonly lifecycle: LifecycleInputs;
  readonly accessLogRetentionDays: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The bucket every backup lands in: SSE-KMS with a rotating customer-managed key, versioned,
 * never public, TLS only, access-logged to a separate bucket, lifecycle from the catalog, and
 * protected from `pulumi destroy`.
 */
export class BackupBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly kmsKey: aws.kms.Key;
  readonly logBucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:BackupBucket", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };

    // Losing this key loses every backup: protect it and keep the longest deletion window.
    this.kmsKey = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Encrypts the backups in s3://${args.bucketName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      { ...child, protect: true },
    );
    new aws.kms.Alias(
      `${name}-key-alias`,
      // Hosts find the key through this alias for client-side encryption: its name is part of the contract.
      { name: backupKeyAlias(args.bucketName), targetKeyId: this.kmsKey.keyId },
      child,
    );

    this.logBucket = new aws.s3.Bucket(
      `${name}-access-logs`,
      {
        bucket: `${args.bucketName}${ACCESS_LOG_BUCKET_SUFFIX}`,
        forceDestroy: false,
        tags: { ...tags, [BUCKET_ROLE_TAG]: BucketRole.accessLogs },
      },
      child,
    );
    const logBlock = blockPublicAccess(`${name}-access-logs`, this.logBucket, this);
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

    this.bucket = new aws.s3.Bucket(
      name,
      {
        bucket: args.bucketName,
        forceDestroy: false,
        tags: { ...tags, [BUCKET_ROLE_TAG]: BucketRole.backups },
      },
      { ...child, protect: true },
    );
    const block = blockPublicAccess(name, this.bucket, this);
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: this.bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: this.kmsKey.arn,
            },
            // One data key per bucket instead of one KMS call per WAL segment.
            bucketKeyEnabled: true,
          },
        ],
      },
      child,
    );
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket: this.bucket.id, policy: this.bucket.arn.apply(backupBucketPolicy) },
      { ...child, dependsOn: [block] },
    );
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
    // Lifecycle rules on a versioned bucket must follow versioning (noncurrent-version rules).
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket: this.bucket.id, rules: toAwsLifecycleRules(lifecycleRules(args.lifecycle)) },
      { ...child, dependsOn: [versioning] },
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

/** All four public-access blocks and bucket-owner-enforced ownership (no ACLs at all). */
function blockPublicAccess(
  name: string,
  bucket: aws.s3.Bucket,
  parent: pulumi.Resource,
): aws.s3.BucketPublicAccessBlock {
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    { parent },
  );
  return new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access-block`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    { parent },
  );
}
