import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BucketRole, type ObjectLockSettings, type ReplicationSettings } from "../catalog";
import type { LifecycleInputs } from "../content/aws/lifecycleRules";
import { replicationRolePolicy, replicationRule } from "../content/aws/replication";
import { serviceAssumeRolePolicy } from "../content/aws/trustPolicies";
import { hardenedBucket } from "./hardenedBucket";

export interface BackupReplicaArgs {
  /** Where the replica lives and whether Replication Time Control is on (stack config `replication`). */
  readonly replication: ReplicationSettings;
  /** The primary's region: the replication role decrypts through S3 there. */
  readonly sourceRegion: string;
  readonly accountId: pulumi.Input<string>;
  /** The backup bucket, its key and its versioning (replication needs it Enabled first). */
  readonly source: {
    readonly bucketName: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly versioning: pulumi.Resource;
  };
  /** The catalog's lifecycle, mirrored: the replica keeps each row exactly as long. */
  readonly lifecycle: LifecycleInputs;
  /** The primary's lock, mirrored (S3 refuses to replicate a locked source into an unlocked bucket). */
  readonly objectLock?: ObjectLockSettings;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A copy of the backup bucket in a second region, so that a lost region does not take the backups
 * with it: a bucket hardened exactly like the primary (own KMS key in its region, versioning,
 * public-access block, TLS-only policy, the catalog's lifecycle, the primary's lock), and S3
 * replication of every object, SSE-KMS ones included, from the primary into it.
 *
 * Delete markers are not replicated: a host (or an intruder with its credentials) that deletes on
 * the primary, and the PostgreSQL engine's own expire, leave the replica untouched; its lifecycle
 * (the same backstop on `postgres/`) removes what the primary's engine already expired.
 */
export class BackupReplica extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly kmsKey: aws.kms.Key;
  readonly role: aws.iam.Role;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: BackupReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:BackupReplica", name, {}, opts);
    const child = { parent: this };
    const settings = args.replication;
    if (settings.region === args.sourceRegion)
      throw new pulumi.ResourceError(
        `replication.region (${settings.region}) is the primary's region: a copy there is lost with it`,
        this,
      );
    const tags = { ...args.tags };

    const provider = new aws.Provider(`${name}-region`, { region: settings.region }, child);
    const replica = hardenedBucket(
      name,
      {
        bucketName: settings.bucketName,
        role: BucketRole.replica,
        lifecycle: args.lifecycle,
        ...(args.objectLock ? { objectLock: args.objectLock } : {}),
        tags,
      },
      this,
      provider,
    );
    this.bucket = replica.bucket;
    this.kmsKey = replica.kmsKey;

    // S3 assumes the role only on behalf of this account's backup bucket (confused-deputy guard).
    this.role = new aws.iam.Role(
      `${name}-replication-role`,
      {
        description: `S3 replication of the backups into s3://${settings.bucketName}`,
        assumeRolePolicy: pulumi
          .all([args.accountId, args.source.bucketArn])
          .apply(([account, sourceArn]) =>
            serviceAssumeRolePolicy("s3.amazonaws.com", {
              StringEquals: { "aws:SourceAccount": account },
              ArnLike: { "aws:SourceArn": sourceArn },
            }),
          ),
        tags,
      },
      child,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-replication-policy`,
      {
        role: this.role.id,
        policy: pulumi
          .all([args.source.bucketArn, args.source.kmsKeyArn, this.bucket.arn, this.kmsKey.arn])
          .apply(([sourceBucketArn, sourceKmsKeyArn, replicaBucketArn, replicaKmsKeyArn]) =>
            replicationRolePolicy({
              sourceBucketArn,
              sourceKmsKeyArn,
              sourceRegion: args.sourceRegion,
              replicaBucketArn,
              replicaKmsKeyArn,
              replicaRegion: settings.region,
              objectLock: args.objectLock !== undefined,
            }),
          ),
      },
      child,
    );
    // On the source bucket, so in the primary's region (the default provider). S3 refuses a
    // replication configuration until both buckets are versioned, and a locked source needs a
    // locked destination.
    new aws.s3.BucketReplicationConfig(
      `${name}-replication`,
      {
        bucket: args.source.bucketName,
        role: this.role.arn,
        rules: pulumi.all([this.bucket.arn, this.kmsKey.arn]).apply(([bucketArn, keyArn]) => [
          replicationRule({
            replicaBucketArn: bucketArn,
            replicaKmsKeyArn: keyArn,
            replicationTimeControl: settings.replicationTimeControl,
          }),
        ]),
      },
      {
        ...child,
        dependsOn: [
          args.source.versioning,
          replica.versioning,
          rolePolicy,
          ...(replica.objectLock ? [replica.objectLock] : []),
        ],
      },
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
