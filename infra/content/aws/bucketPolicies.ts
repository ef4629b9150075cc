/**
 * Bucket policy documents. Pure; ARNs are plain strings resolved by the caller.
 */
import { stableJson } from "../../catalog/stableJson";

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: unknown;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return stableJson({ Version: "2012-10-17", Statement: statements });
}

/**
 * Refuses every request to `resource` that does not use TLS (`aws:SecureTransport` false), for
 * any service's resource policy: `service` is the action prefix (`s3`, `sqs`, `sns`).
 */
export function tlsOnly(service: string, resource: string | readonly string[]): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: `${service}:*`,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** Refuses every request to the bucket or its objects that does not use TLS. */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return tlsOnly("s3", [bucketArn, `${bucketArn}/*`]);
}

export function backupBucketPolicy(bucketArn: string): string {
  return policyDocument([denyInsecureTransport(bucketArn)]);
}

/**
 * The access-log bucket: S3's logging service may write under `logPrefix`, for the backup bucket
 * only; nothing else reaches it without TLS.
 */
export function accessLogBucketPolicy(args: {
  readonly logBucketArn: string;
  readonly sourceBucketArn: string;
  readonly logPrefix: string;
}): string {
  return policyDocument([
    {
      Sid: "AllowS3ServerAccessLogs",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${args.logBucketArn}/${args.logPrefix}*`,
      Condition: { ArnLike: { "aws:SourceArn": args.sourceBucketArn } },
    },
    denyInsecureTransport(args.logBucketArn),
  ]);
}
