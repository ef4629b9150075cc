/**
 * Creates the stack's backup bucket in moto as the plan declares it: same name, versioning,
 * Object Lock's default retention when the plan locks the bucket, SSE-KMS with a bucket key (a key created in moto stands in for the stack's), lifecycle rules,
 * and the bucket policy minus its TLS-only statement (moto speaks plain HTTP, and that statement
 * would deny every sandbox request).
 */
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { backupKeyAlias } from "../../infra/catalog/clientSideEncryption";
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
  type ObjectLockRetentionMode,
  type BucketLocationConstraint,
  type LifecycleRule,
} from "@aws-sdk/client-s3";
import { SANDBOX_AWS_ENV } from "./moto";
import type { BucketLayout } from "./plan";

/** Drops statements that deny requests made without TLS (`aws:SecureTransport` false). */
export function withoutTlsOnlyStatements(policy: string): string | undefined {
  const document = JSON.parse(policy) as {
    Statement?: { Condition?: { Bool?: Record<string, unknown> } }[];
  };
  const kept = (document.Statement ?? []).filter(
    (s) => s.Condition?.Bool?.["aws:SecureTransport"] !== "false",
  );
  return kept.length === 0 ? undefined : JSON.stringify({ ...document, Statement: kept });
}

/** Pulumi's camelCase rule inputs in the SDK's PascalCase (`id` is `ID`). */
export function toSdkShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSdkShape);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k === "id" ? "ID" : k.charAt(0).toUpperCase() + k.slice(1),
      toSdkShape(v),
    ]),
  );
}

export interface SandboxBucket {
  readonly name: string;
  readonly kmsKeyArn: string;
  /** Statements of the declared policy that were applied. */
  readonly policyApplied: boolean;
}

export async function createSandboxBucket(
  endpoint: string,
  region: string,
  layout: BucketLayout,
): Promise<SandboxBucket> {
  const credentials = {
    accessKeyId: SANDBOX_AWS_ENV.AWS_ACCESS_KEY_ID,
    secretAccessKey: SANDBOX_AWS_ENV.AWS_SECRET_ACCESS_KEY,
  };
  const kms = new KMSClient({ region, endpoint, credentials });
  const s3 = new S3Client({ region, endpoint, credentials, forcePathStyle: true });
  try {
    const key = await kms.send(
      new CreateKeyCommand({ Description: `sandbox stand-in for the key of s3://${layout.name}` }),
    );
    const kmsKeyArn = key.KeyMetadata?.Arn;
    if (!kmsKeyArn) throw new Error("moto returned no KMS key ARN");
    // The stack names its key by this alias too: hosts find it through it (client-side encryption).
    await kms.send(
      new CreateAliasCommand({ AliasName: backupKeyAlias(layout.name), TargetKeyId: kmsKeyArn }),
    );
    const Bucket = layout.name;
    await s3.send(
      new CreateBucketCommand({
        Bucket,
        ...(region === "us-east-1"
          ? {}
          : {
              CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
            }),
      }),
    );
    if (layout.versioning) {
      await s3.send(
        new PutBucketVersioningCommand({
          Bucket,
          VersioningConfiguration: { Status: layout.versioning as "Enabled" | "Suspended" },
        }),
      );
    }
    if (layout.objectLock) {
      // As `pulumi up` does it: on the versioned bucket, never at its creation.
      await s3.send(
        new PutObjectLockConfigurationCommand({
          Bucket,
          ObjectLockConfiguration: {
            ObjectLockEnabled: "Enabled",
            Rule: {
              DefaultRetention: {
                Mode: layout.objectLock.mode as ObjectLockRetentionMode,
                Days: layout.objectLock.days,
              },
            },
          },
        }),
      );
    }
    if (layout.encryption) {
      const kmsDefault = layout.encryption.sseAlgorithm === "aws:kms";
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [
              {
                ApplyServerSideEncryptionByDefault: {
                  SSEAlgorithm: layout.encryption.sseAlgorithm as "aws:kms" | "AES256",
                  ...(kmsDefault ? { KMSMasterKeyID: kmsKeyArn } : {}),
                },
                BucketKeyEnabled: layout.encryption.bucketKeyEnabled,
              },
            ],
          },
        }),
      );
    }
    if (layout.lifecycleRules.length > 0) {
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket,
          LifecycleConfiguration: { Rules: toSdkShape(layout.lifecycleRules) as LifecycleRule[] },
        }),
      );
    }
    const policy = layout.policy ? withoutTlsOnlyStatements(layout.policy) : undefined;
    if (policy) await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: policy }));
    return { name: Bucket, kmsKeyArn, policyApplied: policy !== undefined };
  } finally {
    kms.destroy();
    s3.destroy();
  }
}
