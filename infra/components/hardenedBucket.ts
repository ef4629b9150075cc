/**
 * The hardening every bucket that holds backups gets, the primary and its replica alike: its own
 * rotating KMS key (SSE-KMS with an S3 Bucket Key), versioning, all four public-access blocks and
 * bucket-owner-enforced ownership, the TLS-only bucket policy, lifecycle rules from the catalog and,
 * when the stack sets it, Object Lock's default retention. Bucket and key are `protect`ed.
 *
 * A function, not a component: its resources keep the names and parents they had inside
 * `BackupBucket` (`<name>`, `<name>-key`, `<name>-versioning`, ...), so the protected bucket of an
 * existing stack is never renamed or replaced.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { backupKeyAlias } from "../catalog/clientSideEncryption";
import { BUCKET_ROLE_TAG, type ObjectLockSettings } from "../catalog";
import { backupBucketPolicy } from "../content/aws/bucketPolicies";
import {
  lifecycleRules,
  toAwsLifecycleRules,
  type LifecycleInputs,
} from "../content/aws/lifecycleRules";

export interface HardenedBucketArgs {
  /** Globally unique S3 name, already validated. */
  readonly bucketName: string;
  /** Value of the bucket role tag (`backups`, `replica`). */
  readonly role: string;
  readonly lifecycle: LifecycleInputs;
  /** Default retention of every new object version; absent: no lock. */
  readonly objectLock?: ObjectLockSettings;
  readonly tags: Readonly<Record<string, string>>;
}

export interface HardenedBucket {
  readonly bucket: aws.s3.Bucket;
  readonly kmsKey: aws.kms.Key;
  readonly versioning: aws.s3.BucketVersioning;
  /** The lock's configuration, when the bucket has one. */
  readonly objectLock?: aws.s3.BucketObjectLockConfiguration;
}

/**
 * Creates the bucket and its configuration as children of `parent` (with `provider` when given:
 * the replica's region).
 *
 * Object Lock is enabled by `aws.s3.BucketObjectLockConfiguration` (S3's
 * PutObjectLockConfiguration), never by the bucket's `objectLockEnabled`, which can only be set at
 * creation and so would replace an existing, protected bucket. S3 accepts the configuration on an
 * existing bucket once its versioning is Enabled (docs.aws.amazon.com/AmazonS3/latest/userguide/
 * object-lock-configure.html, "Enable Object Lock on an existing bucket"), hence the dependency.
 * A lock can never be turned off again, nor versioning suspended.
 */
export function hardenedBucket(
  name: string,
  args: HardenedBucketArgs,
  parent: pulumi.Resource,
  provider?: aws.Provider,
): HardenedBucket {
  const child: pulumi.CustomResourceOptions = provider ? { parent, provider } : { parent };
  const tags = { ...args.tags };

  // Losing this key loses every backup: protect it and keep the longest deletion window.
  const kmsKey = new aws.kms.Key(
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
    { name: backupKeyAlias(args.bucketName), targetKeyId: kmsKey.keyId },
    child,
  );

  const bucket = new aws.s3.Bucket(
    name,
    {
      bucket: args.bucketName,
      forceDestroy: false,
      tags: { ...tags, [BUCKET_ROLE_TAG]: args.role },
    },
    { ...child, protect: true },
  );
  const block = blockPublicAccess(name, bucket, child);
  const versioning = new aws.s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    child,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    {
      bucket: bucket.id,
      rules: [
        {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: "aws:kms",
            kmsMasterKeyId: kmsKey.arn,
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
    { bucket: bucket.id, policy: bucket.arn.apply(backupBucketPolicy) },
    { ...child, dependsOn: [block] },
  );
  // Lifecycle rules on a versioned bucket must follow versioning (noncurrent-version rules).
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    { bucket: bucket.id, rules: toAwsLifecycleRules(lifecycleRules(args.lifecycle)) },
    { ...child, dependsOn: [versioning] },
  );
  const objectLock =
    args.objectLock === undefined
      ? undefined
      : new aws.s3.BucketObjectLockConfiguration(
          `${name}-object-lock`,
          {
            bucket: bucket.id,
            objectLockEnabled: "Enabled",
            rule: {
              defaultRetention: {
                mode: args.objectLock.mode,
                days: args.objectLock.retentionDays,
              },
            },
          },
          { ...child, dependsOn: [versioning] },
        );
  return { bucket, kmsKey, versioning, ...(objectLock ? { objectLock } : {}) };
}

/** All four public-access blocks and bucket-owner-enforced ownership (no ACLs at all). */
export function blockPublicAccess(
  name: string,
  bucket: aws.s3.Bucket,
  opts: pulumi.CustomResourceOptions,
): aws.s3.BucketPublicAccessBlock {
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
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
    opts,
  );
}
