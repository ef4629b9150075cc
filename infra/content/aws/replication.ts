/**
 * What S3 needs to copy the backup bucket into its replica: the replication role's policy and the
 * replication rule. Pure: plain ARNs and names in, deterministic values out.
 *
 * Source: "Setting up permissions for live replication" and "Replicating encrypted objects
 * (SSE-KMS)" in the S3 User Guide (docs.aws.amazon.com/AmazonS3/latest/userguide/
 * setting-repl-config-perm-overview.html, replication-config-for-kms-objects.html), and "Using
 * Object Lock with S3 Replication" (object-lock-managing.html#object-lock-managing-replication).
 */
import { RTC_MINUTES } from "../../catalog";
import { policyDocument, type PolicyStatement } from "./bucketPolicies";

/** The replication rule's id: also the `RuleId` dimension of the replication metrics. */
export const REPLICATION_RULE_ID = "backups-to-replica";

export interface ReplicationInputs {
  readonly sourceBucketArn: string;
  readonly sourceKmsKeyArn: string;
  readonly sourceRegion: string;
  readonly replicaBucketArn: string;
  readonly replicaKmsKeyArn: string;
  readonly replicaRegion: string;
  /** The source bucket has Object Lock: the role reads each version's retention to copy it. */
  readonly objectLock: boolean;
}

/**
 * The least the replication role needs, per the S3 User Guide pages above:
 * - on the source bucket, `s3:GetReplicationConfiguration` and `s3:ListBucket`;
 * - on its objects, `s3:GetObjectVersionForReplication`, `s3:GetObjectVersionAcl` and
 *   `s3:GetObjectVersionTagging` (plus `s3:GetObjectRetention` and `s3:GetObjectLegalHold` when
 *   the source is locked, so each replica keeps its version's retain-until date);
 * - on the replica's objects, `s3:ReplicateObject` and `s3:ReplicateTags`. Not
 *   `s3:ReplicateDelete`: delete markers are not replicated (a delete on the primary must never
 *   reach the copy), and deletes of a version are never replicated at all;
 * - `kms:Decrypt` with the source key and `kms:Encrypt` / `kms:GenerateDataKey` with the replica's,
 *   each only through S3 in its region and only for its bucket's objects (encryption context
 *   `aws:s3:arn`: the object's ARN, or the bucket's when an S3 Bucket Key is on).
 */
export function replicationRolePolicy(inputs: ReplicationInputs): string {
  const s3Context = (bucketArn: string) => ({
    "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/*`],
  });
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadSourceReplicationConfiguration",
      Effect: "Allow",
      Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
      Resource: inputs.sourceBucketArn,
    },
    {
      Sid: "ReadSourceVersions",
      Effect: "Allow",
      Action: [
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionTagging",
        ...(inputs.objectLock ? ["s3:GetObjectLegalHold", "s3:GetObjectRetention"] : []),
      ].sort(),
      Resource: `${inputs.sourceBucketArn}/*`,
    },
    {
      Sid: "WriteReplicas",
      Effect: "Allow",
      Action: ["s3:ReplicateObject", "s3:ReplicateTags"],
      Resource: `${inputs.replicaBucketArn}/*`,
    },
    {
      Sid: "DecryptSourceThroughS3",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: inputs.sourceKmsKeyArn,
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${inputs.sourceRegion}.amazonaws.com` },
        StringLike: s3Context(inputs.sourceBucketArn),
      },
    },
    {
      Sid: "EncryptReplicasThroughS3",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: inputs.replicaKmsKeyArn,
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${inputs.replicaRegion}.amazonaws.com` },
        StringLike: s3Context(inputs.replicaBucketArn),
      },
    },
  ];
  return policyDocument(statements);
}

export interface ReplicationRuleInputs {
  /** The replica bucket's ARN (`destination.bucket` takes the ARN, not the name). */
  readonly replicaBucketArn: string;
  readonly replicaKmsKeyArn: string;
  readonly replicationTimeControl: boolean;
}

/**
 * One rule for the whole bucket, in the `aws.s3.BucketReplicationConfig` shape: every object
 * (artifacts included, so a host in the replica's region can install from it), SSE-KMS objects
 * too (S3 skips them unless `sseKmsEncryptedObjects` is on), re-encrypted with the replica's own
 * key, delete markers not replicated. With RTC: the 15-minute time control and its metrics, which
 * the replication alarms watch.
 */
export function replicationRule(inputs: ReplicationRuleInputs) {
  const rtc = inputs.replicationTimeControl
    ? {
        replicationTime: { status: "Enabled", time: { minutes: RTC_MINUTES } },
        metrics: { status: "Enabled", eventThreshold: { minutes: RTC_MINUTES } },
      }
    : {};
  return {
    id: REPLICATION_RULE_ID,
    status: "Enabled",
    priority: 1,
    // An empty filter is the whole bucket (the V2 rule schema, which delete-marker settings need).
    filter: {},
    deleteMarkerReplication: { status: "Disabled" },
    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
    destination: {
      bucket: inputs.replicaBucketArn,
      encryptionConfiguration: { replicaKmsKeyId: inputs.replicaKmsKeyArn },
      storageClass: "STANDARD",
      ...rtc,
    },
  };
}
