/**
 * IAM documents for the database hosts. Pure: plain ARNs in, deterministic JSON out.
 *
 * Each host has a role of its own whose policy names its own prefixes (`configs/<host>/`,
 * `logs/<host>/`, `postgres/<host>/`, `redis/<host>/`) literally. Why not one role for every host
 * with a policy variable: the S3 keys carry the host id (`hostIdOf(config)`: `hostId`, else the short
 * host name), and nothing in an EC2 instance-profile session's request context equals it. For such
 * a session AWS sets `aws:userid` to `<role id>:<instance id>` and `ec2:SourceInstanceARN` to the
 * instance's ARN, `aws:username` is absent, and `aws:PrincipalTag/*` are the role's tags, the same
 * for every host sharing the role: EC2 passes no session tags (IAM User Guide, "IAM policy elements:
 * Variables and tags", principal key values for "Role assigned to an Amazon EC2 instance"; "AWS
 * global condition context keys", aws:PrincipalTag; EC2 User Guide, "IAM roles for Amazon EC2",
 * ec2:SourceInstanceARN). SSM Run Command runs the jobs on the instance with those same instance
 * profile credentials. A variable could therefore only scope keys named after the instance, not the
 * host names the runbook and the restores use; a role per host scopes the real layout.
 */
import { BACKUP_TYPE_KEYS, BACKUP_TYPES, POSTGRES_PREFIX } from "../../catalog";
import { HOST_ID_PATTERN } from "../../catalog/hostConfig";
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
  /** The host this role is for: its id as it appears in S3 keys (`hostIdOf(config)`). */
  readonly hostId: string;
  /**
   * Hosts whose backups this host may read for a restore (`SourceHost` of the restore documents):
   * read and list only, never write or delete. Empty: its own backups only.
   */
  readonly restoreFrom: readonly string[];
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

/**
 * One host's key prefixes (`configs/db-1/`, `logs/db-1/`, `postgres/db-1/`, `redis/db-1/`), sorted.
 * Throws on an id that is not a host id (`HOST_ID_PATTERN`): a `*` or `?` in it would widen the
 * grant to other hosts.
 */
export function hostPrefixes(hostId: string): string[] {
  if (!HOST_ID_PATTERN.test(hostId))
    throw new Error(
      `host id ${JSON.stringify(hostId)} is not allowed: must be letters, digits, '.', '_' or '-' (at most 63), starting with a letter or digit`,
    );
  return backupPrefixes().map((p) => `${p}${hostId}/`);
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
 * What one database host may do: read and write its own backup prefixes (`hostPrefixes(hostId)`),
 * read (never write) the prefixes of the hosts in `restoreFrom`, delete only under its own
 * PostgreSQL engine prefix (the engine's expire owns that retention; S3 lifecycle owns the rest, so a
 * host cannot erase config or Redis history), read the artifacts, use the backup key through S3
 * only, publish metrics in the project's namespace only, and write job logs to the job log group
 * only. Throws on a bad host id, or on a host named among its own restore sources.
 * With a replica: list and read this host's backup prefixes there and decrypt with its key through
 * S3 in its region, nothing more (S3 alone writes there). No statement ever grants
 * `s3:BypassGovernanceRetention`, `s3:PutObjectRetention` or `s3:PutBucketObjectLockConfiguration`:
 * a host cannot shorten or lift a lock.
 */
export function hostPolicy(inputs: HostPolicyInputs): string {
  const own = hostPrefixes(inputs.hostId);
  if (inputs.restoreFrom.includes(inputs.hostId))
    throw new Error(
      `host '${inputs.hostId}' lists itself in restoreFrom: it reads its own backups anyway`,
    );
  const sources = [...new Set(inputs.restoreFrom)].sort().flatMap(hostPrefixes);
  const objectArns = (list: readonly string[]) => list.map((p) => `${inputs.bucketArn}/${p}*`);
  const statements: PolicyStatement[] = [
    {
      Sid: "ListOwnPrefixes",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: inputs.bucketArn,
      Condition: {
        StringLike: { "s3:prefix": [...own, ...sources, ARTIFACTS_PREFIX].map((p) => `${p}*`) },
      },
    },
    {
      Sid: "LocateBucket",
      Effect: "Allow",
      Action: "s3:GetBucketLocation",
      Resource: inputs.bucketArn,
    },
    {
      Sid: "ReadWriteOwnBackups",
      Effect: "Allow",
      Action: [
        "s3:AbortMultipartUpload",
        "s3:GetObject",
        "s3:ListMultipartUploadParts",
        "s3:PutObject",
      ],
      Resource: objectArns(own),
    },
    {
      Sid: "PostgresEngineRetention",
      Effect: "Allow",
      Action: "s3:DeleteObject",
      Resource: objectArns([`${POSTGRES_PREFIX}${inputs.hostId}/`]),
    },
    ...(sources.length === 0
      ? []
      : [
          {
            Sid: "ReadRestoreSources",
            Effect: "Allow" as const,
            Action: "s3:GetObject",
            Resource: objectArns(sources),
          },
        ]),
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
    ...(inputs.replica ? replicaReadStatements(inputs.replica, [...own, ...sources]) : []),
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

/** Read-only access to the replica's copy of `prefixes` (this host's and its restore sources'), for restores when the primary is down. */
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
