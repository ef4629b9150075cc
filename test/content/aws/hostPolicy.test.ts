import { expect, test } from "vitest";
import {
  backupPrefixes,
  ec2AssumeRolePolicy,
  hostPolicy,
  hostPrefixes,
  type HostPolicyInputs,
} from "../../../infra/content/aws/hostPolicy";
import {
  backupBucketPolicy,
  accessLogBucketPolicy,
} from "../../../infra/content/aws/bucketPolicies";

const BUCKET = "arn:aws:s3:::stellar-insights-backups";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/abc";
const LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:/stellar-insights-backup/prod/jobs";

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const INPUTS: HostPolicyInputs = {
  bucketArn: BUCKET,
  kmsKeyArn: KEY,
  logGroupArn: LOGS,
  metricNamespace: "NS/Backup",
  region: "us-east-1",
  hostId: "db-1",
  restoreFrom: [],
};
const parse = (inputs: HostPolicyInputs) =>
  JSON.parse(hostPolicy(inputs)) as { Version: string; Statement: Statement[] };
const policy = parse(INPUTS);
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

const OWN = [
  `${BUCKET}/configs/db-1/*`,
  `${BUCKET}/logs/db-1/*`,
  `${BUCKET}/postgres/db-1/*`,
  `${BUCKET}/redis/db-1/*`,
];

test("the host may do exactly these things, on its own prefixes only", () => {
  expect(policy.Statement.map((s) => [s.Sid, list(s.Action), list(s.Resource)])).toEqual([
    ["ListOwnPrefixes", ["s3:ListBucket"], [BUCKET]],
    ["LocateBucket", ["s3:GetBucketLocation"], [BUCKET]],
    [
      "ReadWriteOwnBackups",
      ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
      OWN,
    ],
    ["PostgresEngineRetention", ["s3:DeleteObject"], [`${BUCKET}/postgres/db-1/*`]],
    ["ReadArtifacts", ["s3:GetObject"], [`${BUCKET}/artifacts/*`]],
    [
      "UseBackupKeyThroughS3",
      ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
      [KEY],
    ],
    ["PublishBackupMetrics", ["cloudwatch:PutMetricData"], ["*"]],
    [
      "WriteJobLogs",
      ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
      [LOGS, `${LOGS}:*`],
    ],
    [
      "FindJobLogGroup",
      ["logs:DescribeLogGroups"],
      ["arn:aws:logs:us-east-1:123456789012:log-group:*"],
    ],
  ]);
  expect(policy.Statement.every((s) => s.Effect === "Allow")).toBe(true);
});

test("no wildcard action, and no wildcard resource for S3 or KMS", () => {
  for (const s of policy.Statement) {
    for (const action of list(s.Action)) {
      expect(action).not.toMatch(/(^\*$|:\*$)/);
    }
    if (list(s.Action).some((a) => a.startsWith("s3:") || a.startsWith("kms:"))) {
      expect(list(s.Resource)).not.toContain("*");
    }
  }
});

test("the only '*' resource is PutMetricData, held to the project's namespace", () => {
  const star = policy.Statement.filter((s) => list(s.Resource).includes("*"));
  expect(star.map((s) => s.Sid)).toEqual(["PublishBackupMetrics"]);
  expect(star[0].Condition).toEqual({ StringEquals: { "cloudwatch:namespace": "NS/Backup" } });
});

test("listing is limited to the host's own prefixes and the artifacts; the key is usable only through S3", () => {
  const byId = Object.fromEntries(policy.Statement.map((s) => [s.Sid, s]));
  expect(byId.ListOwnPrefixes.Condition).toEqual({
    StringLike: {
      "s3:prefix": [
        "configs/db-1/*",
        "logs/db-1/*",
        "postgres/db-1/*",
        "redis/db-1/*",
        "artifacts/*",
      ],
    },
  });
  expect(byId.UseBackupKeyThroughS3.Condition).toEqual({
    StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
  });
});

test("a restore source is readable and listable, never writable nor deletable", () => {
  const staging = parse({ ...INPUTS, hostId: "staging-db", restoreFrom: ["db-1", "db-1"] });
  const byId = Object.fromEntries(staging.Statement.map((s) => [s.Sid, s]));
  expect(byId.ReadRestoreSources).toEqual({
    Sid: "ReadRestoreSources",
    Effect: "Allow",
    Action: "s3:GetObject",
    Resource: OWN,
  });
  expect(byId.ListOwnPrefixes.Condition).toEqual({
    StringLike: {
      "s3:prefix": [
        "configs/staging-db/*",
        "logs/staging-db/*",
        "postgres/staging-db/*",
        "redis/staging-db/*",
        "configs/db-1/*",
        "logs/db-1/*",
        "postgres/db-1/*",
        "redis/db-1/*",
        "artifacts/*",
      ],
    },
  });
  const writesOrDeletes = staging.Statement.filter((s) =>
    list(s.Action).some((a) => a === "s3:PutObject" || a === "s3:DeleteObject"),
  );
  expect(
    writesOrDeletes.flatMap((s) => list(s.Resource)).filter((r) => r.includes("/db-1/")),
  ).toEqual([]);
  // Without a restore source there is no read of another host at all.
  expect(policy.Statement.map((s) => s.Sid)).not.toContain("ReadRestoreSources");
});

test.each<[string, Partial<HostPolicyInputs>, string]>([
  ["a wildcard host id", { hostId: "*" }, 'host id "*" is not allowed'],
  ["a wildcard restore source", { restoreFrom: ["db-?"] }, 'host id "db-?" is not allowed'],
  ["an empty host id", { hostId: "" }, 'host id "" is not allowed'],
  [
    "a host among its own restore sources",
    { restoreFrom: ["db-1"] },
    "host 'db-1' lists itself in restoreFrom",
  ],
])("refuses %s", (_name, change, message) => {
  expect(() => hostPolicy({ ...INPUTS, ...change })).toThrow(message);
});

test("a host's prefixes end with its id and a slash, so db-1 never reaches db-10", () => {
  expect(hostPrefixes("db-1")).toEqual([
    "configs/db-1/",
    "logs/db-1/",
    "postgres/db-1/",
    "redis/db-1/",
  ]);
});

test("documents are deterministic JSON with sorted keys", () => {
  expect(backupPrefixes()).toEqual(["configs/", "logs/", "postgres/", "redis/"]);
  expect(ec2AssumeRolePolicy()).toBe(
    JSON.stringify(
      {
        Statement: [
          {
            Action: "sts:AssumeRole",
            Effect: "Allow",
            Principal: { Service: "ec2.amazonaws.com" },
          },
        ],
        Version: "2012-10-17",
      },
      null,
      2,
    ),
  );
});

test("the bucket refuses any request without TLS, on the bucket and its objects", () => {
  expect(JSON.parse(backupBucketPolicy(BUCKET))).toEqual({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [BUCKET, `${BUCKET}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
});

test("the access-log bucket accepts logs from the backup bucket only", () => {
  const doc = JSON.parse(
    accessLogBucketPolicy({
      logBucketArn: `${BUCKET}-access-logs`,
      sourceBucketArn: BUCKET,
      logPrefix: "s3-access/",
    }),
  ) as { Statement: Statement[] };
  expect(doc.Statement[0]).toEqual({
    Sid: "AllowS3ServerAccessLogs",
    Effect: "Allow",
    Principal: { Service: "logging.s3.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: `${BUCKET}-access-logs/s3-access/*`,
    Condition: { ArnLike: { "aws:SourceArn": BUCKET } },
  });
  expect(doc.Statement[1].Sid).toBe("DenyInsecureTransport");
});
