/**
 * The replication role's policy and rule as whole output: exactly the actions AWS's replication
 * pages list (no delete, no bypass), each KMS key only through S3 in its region and for its bucket.
 */
import { expect, test } from "vitest";
import { replicationRolePolicy, replicationRule } from "../../../infra/content/aws/replication";

const INPUTS = {
  sourceBucketArn: "arn:aws:s3:::b",
  sourceKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/src",
  sourceRegion: "us-east-1",
  replicaBucketArn: "arn:aws:s3:::b-replica",
  replicaKmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/dst",
  replicaRegion: "us-west-2",
  objectLock: false,
};

test("the role may read the source's versions, write replicas and use each key through S3 only", () => {
  expect(JSON.parse(replicationRolePolicy(INPUTS))).toEqual({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadSourceReplicationConfiguration",
        Effect: "Allow",
        Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
        Resource: "arn:aws:s3:::b",
      },
      {
        Sid: "ReadSourceVersions",
        Effect: "Allow",
        Action: [
          "s3:GetObjectVersionAcl",
          "s3:GetObjectVersionForReplication",
          "s3:GetObjectVersionTagging",
        ],
        Resource: "arn:aws:s3:::b/*",
      },
      {
        Sid: "WriteReplicas",
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:ReplicateTags"],
        Resource: "arn:aws:s3:::b-replica/*",
      },
      {
        Sid: "DecryptSourceThroughS3",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "arn:aws:kms:us-east-1:123456789012:key/src",
        Condition: {
          StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
          StringLike: {
            "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
          },
        },
      },
      {
        Sid: "EncryptReplicasThroughS3",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:GenerateDataKey"],
        Resource: "arn:aws:kms:us-west-2:123456789012:key/dst",
        Condition: {
          StringEquals: { "kms:ViaService": "s3.us-west-2.amazonaws.com" },
          StringLike: {
            "kms:EncryptionContext:aws:s3:arn": [
              "arn:aws:s3:::b-replica",
              "arn:aws:s3:::b-replica/*",
            ],
          },
        },
      },
    ],
  });
});

test("a locked source adds reading each version's retention and legal hold, nothing else", () => {
  const read = (objectLock: boolean) =>
    JSON.parse(replicationRolePolicy({ ...INPUTS, objectLock })).Statement[1].Action as string[];
  expect(read(true).filter((a) => !read(false).includes(a))).toEqual([
    "s3:GetObjectLegalHold",
    "s3:GetObjectRetention",
  ]);
});

test("one whole-bucket rule: KMS objects, the replica's key, no delete markers; RTC only when asked", () => {
  const base = {
    replicaBucketArn: "arn:aws:s3:::b-replica",
    replicaKmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/dst",
  };
  expect(replicationRule({ ...base, replicationTimeControl: false })).toEqual({
    id: "backups-to-replica",
    status: "Enabled",
    priority: 1,
    filter: {},
    deleteMarkerReplication: { status: "Disabled" },
    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
    destination: {
      bucket: "arn:aws:s3:::b-replica",
      encryptionConfiguration: { replicaKmsKeyId: "arn:aws:kms:us-west-2:123456789012:key/dst" },
      storageClass: "STANDARD",
    },
  });
  expect(replicationRule({ ...base, replicationTimeControl: true }).destination).toMatchObject({
    replicationTime: { status: "Enabled", time: { minutes: 15 } },
    metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
  });
});
