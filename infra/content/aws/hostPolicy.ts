/**
 * IAM documents for the database hosts. Pure: plain ARNs in, deterministic JSON out.
 */
import { BACKUP_TYPE_KEYS, BACKUP_TYPES, POSTGRES_PREFIX } from "../../catalog";
import { policyDocument, type PolicyStatement } from "./bucketPolicies";
import { stableJson } from "../../catalog/stableJson";

/** Where the stack puts the job bundles and host config the hosts install. */
export const ARTIFACTS_PREFIX = "artifacts/";

export interface HostPolicyInputs {
  readonly bucketArn: string;
  readonly kmsKeyArn: string;
  readonly logGroupArn: string;
  readonly metricNamespace: string;
  readonly region: string;
  /** The cross-region replica, which hosts may only read (restores with `Source=replica`). */
  readonly replica?: ReplicaReadInputs;
}

export interface ReplicaReadInputs {
  readonly bucketArn: string;
  readonly kmsKeyArn: string;
  readonly region: string;
}

/** The S3 prefixes hosts write backups under, sorted and without duplicates (postgres/ and wal share one). */
export function backupPrefixes(): string[] {
  const prefixes = BACKUP_TYPE_KEYS.flatMap((k) => {
    const s3 = BACKUP_TYPES[k].s3;
    return s3 ? [s3.prefix] : [];
  });
  return [...new Set(prefixes)].sort();
}

/** `arn:aws:logs:r:a:log-group:/x/y` → `arn:aws:logs:r:a:log-group:*`. */
export function logGroupNamespaceArn(logGroupArn: string): string {
  const marker = ":log-group:";
  const at = logGroupArn.indexOf(marker);
  if (at < 0) throw new Error(`'${logGroupArn}' is not a log group ARN`);
  return `${logGroupArn.slice(0, at + marker.length)}*`;
}

export function ec2AssumeRolePolicy(): string {
  return stableJson({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "ec2.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ],
  });
}

/**
 * What a database host may do: read and write its backup prefixes, delete only under the
 * PostgreSQL engine's prefix (the engine's expire owns that retention; S3 lifecycle owns the rest, so a host cannot erase config or
 * Redis history), read the artifacts, use the backup key through S3 only, publish metrics in the
 * project's namespace only, and write job logs to the job log group only. With a replica: list and
 * read its backup prefixes and decrypt with its key through S3 in its region, nothing more (S3 alone
 * writes there). No statement ever grants `s3:BypassGovernanceRetention`, `s3:PutObjectRetention` or
 * `s3:PutBucketObjectLockConfiguration`: a host cannot shorten or lift a lock.
 */
export function hostPolicy(inputs: HostPolicyInputs): string {
  const prefixes = backupPrefixes();
  const objectArns = (list: readonly string[]) => list.map((p) => `${inputs.bucketArn}/${p}*`);
  const statements: PolicyStatement[] = [
    {
      Sid: "ListBackupPrefixes",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: inputs.bucketArn,
      Condition: {
        StringLike: { "s3:prefix": [...prefixes, ARTIFACTS_PREFIX].map((p) => `${p}*`) },
      },
    },
    {
      Sid: "LocateBucket",
      Effect: "Allow",
      Action: "s3:GetBucketLocation",
      Resource: inputs.bucketArn,
    },
    {
      Sid: "ReadWriteBackups",
      Effect: "Allow",
      Action: [
        "s3:AbortMultipartUpload",
        "s3:GetObject",
        "s3:ListMultipartUploadParts",
        "s3:PutObject",
      ],
      Resource: objectArns(prefixes),
    },
    {
      Sid: "PostgresEngineRetention",
      Effect: "Allow",
      Action: "s3:DeleteObject",
      Resource: objectArns([POSTGRES_PREFIX]),
    },
    {
      Sid: "ReadArtifacts",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: objectArns([ARTIFACTS_PREFIX]),
    },
    {
      Sid: "UseBackupKeyThroughS3",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
      Resource: inputs.kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${inputs.region}.amazonaws.com` } },
    },
    ...(inputs.replica ? replicaReadStatements(inputs.replica, prefixes) : []),
    {
      // PutMetricData has no resource-level permissions; the namespace condition is the scope.
      Sid: "PublishBackupMetrics",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": inputs.metricNamespace } },
    },
    {
      Sid: "WriteJobLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
      Resource: [inputs.logGroupArn, `${inputs.logGroupArn}:*`],
    },
    {
      // The SSM Agent looks the group up before streaming Run Command output into it;
      // DescribeLogGroups is authorized on the account's log-group namespace, not on one group.
      Sid: "FindJobLogGroup",
      Effect: "Allow",
      Action: "logs:DescribeLogGroups",
      Resource: logGroupNamespaceArn(inputs.logGroupArn),
    },
  ];
  return policyDocument(statements);
}

/** Read-only access to the replica's backup prefixes, for restores when the primary is down. */
function replicaReadStatements(
  replica: ReplicaReadInputs,
  prefixes: readonly string[],
): PolicyStatement[] {
  return [
    {
      Sid: "ListReplicaBackupPrefixes",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: replica.bucketArn,
      Condition: { StringLike: { "s3:prefix": prefixes.map((p) => `${p}*`) } },
    },
    {
      Sid: "ReadReplicaBackups",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: prefixes.map((p) => `${replica.bucketArn}/${p}*`),
    },
    {
      Sid: "DecryptReplicaThroughS3",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:DescribeKey"],
      Resource: replica.kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${replica.region}.amazonaws.com` } },
    },
  ];
}
