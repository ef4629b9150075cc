/**
 * Each durability option, on and off, adds exactly its resources with exactly its inputs: the prod
 * stack file (lock, replica and RTC on) against the same file with an option taken out, each
 * synthesized by a real `npm run synth` process.
 */
import { beforeAll, expect, test } from "vitest";
import { readAllPages } from "../docs/support/markdown";
import {
  synthVariant,
  variantArtifact,
  type PlanFile,
  type PlannedResource,
} from "./support/synthVariant";

/** The prod file without the YAML block of `key` (the key line and its indented lines). */
function without(text: string, key: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`  stellar-insights-backup:${key}:`));
  expect(start, key).toBeGreaterThan(0);
  let end = start + 1;
  while (end < lines.length && lines[end].startsWith("    ")) end++;
  return [...lines.slice(0, start), ...lines.slice(end)].join("\n");
}

const key = (r: PlannedResource) => `${r.type} ${r.name}`;
/** The resources of `a` that `b` does not have, as `type name`, sorted. */
function added(a: PlanFile, b: PlanFile): string[] {
  const inB = new Set(b.resources.map(key));
  return a.resources
    .map(key)
    .filter((k) => !inB.has(k))
    .sort();
}
/** The one resource named `name` (components share their bucket's name: those are skipped). */
const named = (plan: PlanFile, name: string) => {
  const found = plan.resources.filter((r) => r.name === name && !r.type.startsWith("stellar:"));
  expect(found, name).toHaveLength(1);
  return found[0];
};

let prod: PlanFile;
let noLock: PlanFile;
let noReplica: PlanFile;
let noRtc: PlanFile;
let neither: PlanFile;

beforeAll(async () => {
  const withoutLock = (text: string) => without(text, "objectLock");
  [prod, noLock, noReplica, noRtc, neither] = await Promise.all([
    synthVariant("prod", (text) => text),
    synthVariant("no-lock", withoutLock),
    synthVariant("no-replica", (text) => without(text, "replication")),
    synthVariant("no-rtc", (text) =>
      text.replace("    replicationTimeControl: true\n", "    replicationTimeControl: false\n"),
    ),
    synthVariant("neither", (text) => without(withoutLock(text), "replication")),
  ]);
}, 240_000);

test("Object Lock adds one lock configuration per bucket that holds backups, and nothing else", () => {
  expect(added(prod, noLock)).toEqual([
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration backups-object-lock",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration replica-object-lock",
  ]);
  expect(added(noReplica, neither)).toEqual([
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration backups-object-lock",
  ]);
  for (const name of ["backups-object-lock", "replica-object-lock"]) {
    expect(named(prod, name).inputs).toEqual({
      bucket: name.startsWith("backups")
        ? "stellar-insights-backups"
        : "stellar-insights-backups-replica",
      objectLockEnabled: "Enabled",
      rule: { defaultRetention: { mode: "GOVERNANCE", days: 14 } },
    });
  }
  // Enabled through the configuration resource: the protected bucket keeps its inputs (no replacement).
  expect(named(prod, "backups").inputs).toEqual(named(neither, "backups").inputs);
  expect(named(prod, "backups").inputs).not.toHaveProperty("objectLockEnabled");
  expect(named(prod, "backups").protect).toBe(true);
  // The replication role reads each version's retention only when the source is locked.
  const actions = (plan: PlanFile) =>
    JSON.parse(named(plan, "replica-replication-policy").inputs.policy).Statement.find(
      (s: { Sid: string }) => s.Sid === "ReadSourceVersions",
    ).Action;
  expect(actions(prod)).toContain("s3:GetObjectRetention");
  expect(actions(noLock)).not.toContain("s3:GetObjectRetention");
});

test("replication adds the replica, its region's provider, the role, the rule and the envelope key's replica: 18 resources", () => {
  expect(added(noLock, neither)).toEqual([
    "aws:cloudwatch/metricAlarm:MetricAlarm alarms-replication-failures",
    "aws:cloudwatch/metricAlarm:MetricAlarm alarms-replication-latency",
    "aws:iam/role:Role replica-replication-role",
    "aws:iam/rolePolicy:RolePolicy replica-replication-policy",
    "aws:kms/alias:Alias envelope-key-replica-alias",
    "aws:kms/alias:Alias replica-key-alias",
    "aws:kms/key:Key replica-key",
    "aws:kms/replicaKey:ReplicaKey envelope-key-replica",
    "aws:s3/bucket:Bucket replica",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration replica-lifecycle",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls replica-ownership",
    "aws:s3/bucketPolicy:BucketPolicy replica-policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock replica-public-access-block",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig replica-replication",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration replica-encryption",
    "aws:s3/bucketVersioning:BucketVersioning replica-versioning",
    "pulumi:providers:aws replica-region",
    "stellar:backup:BackupReplica replica",
  ]);
  expect(named(prod, "replica-region").inputs.region).toBe("us-west-2");
  expect(named(prod, "replica").inputs).toEqual({
    bucket: "stellar-insights-backups-replica",
    forceDestroy: false,
    tags: { ...named(prod, "backups").inputs.tags, "stellar-insights:bucket-role": "replica" },
  });
  expect(named(prod, "replica").protect).toBe(true);
  expect(named(prod, "replica-key").protect).toBe(true);
  // The catalog's lifecycle, mirrored rule for rule.
  expect(named(prod, "replica-lifecycle").inputs.rules).toEqual(
    named(prod, "backups-lifecycle").inputs.rules,
  );
  const [rule] = named(prod, "replica-replication").inputs.rules;
  expect(named(prod, "replica-replication").inputs.bucket).toBe("stellar-insights-backups");
  expect(rule.deleteMarkerReplication).toEqual({ status: "Disabled" });
  expect(rule.sourceSelectionCriteria).toEqual({ sseKmsEncryptedObjects: { status: "Enabled" } });
  expect(rule.destination.bucket).toBe("arn:aws:s3:::stellar-insights-backups-replica");
  expect(rule.destination.encryptionConfiguration.replicaKmsKeyId).toMatch(/key\/replica-key-id$/);
  // S3 may assume the role for this account's backup bucket only.
  const trust = JSON.parse(named(prod, "replica-replication-role").inputs.assumeRolePolicy);
  expect(trust.Statement).toEqual([
    {
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnLike: { "aws:SourceArn": "arn:aws:s3:::stellar-insights-backups" },
      },
    },
  ]);
  // The role never deletes: no ReplicateDelete, nothing outside the two buckets and two keys.
  const policy = named(prod, "replica-replication-policy").inputs.policy as string;
  expect(policy).not.toContain("ReplicateDelete");
  expect(policy).not.toContain("Bypass");
});

test("hosts may read the replica and decrypt with its key through S3 in its region, nothing more", () => {
  const statements = (plan: PlanFile) =>
    JSON.parse(named(plan, "db-hosts-prod-db-1-backup-policy").inputs.policy).Statement as {
      Sid: string;
      Action: string | string[];
      Resource: string | string[];
      Condition?: unknown;
    }[];
  const replicaOnly = statements(prod).filter(
    (s) => !statements(neither).some((t) => t.Sid === s.Sid),
  );
  expect(replicaOnly.map((s) => [s.Sid, s.Action])).toEqual([
    ["ListReplicaBackupPrefixes", "s3:ListBucket"],
    ["ReadReplicaBackups", "s3:GetObject"],
    ["DecryptReplicaThroughS3", ["kms:Decrypt", "kms:DescribeKey"]],
  ]);
  // The replica is read only on this host's own prefixes, as on the primary.
  expect(replicaOnly[1].Resource).toEqual(
    ["configs", "logs", "postgres", "redis"].map(
      (row) => `arn:aws:s3:::stellar-insights-backups-replica/${row}/prod-db-1/*`,
    ),
  );
  expect(replicaOnly[2].Condition).toEqual({
    StringEquals: { "kms:ViaService": "s3.us-west-2.amazonaws.com" },
  });
  for (const plan of [prod, neither])
    expect(JSON.stringify(statements(plan))).not.toMatch(
      /BypassGovernanceRetention|PutObjectRetention|ObjectLockConfiguration|DeleteObjectVersion/,
    );
});

test("RTC adds the time control, its metrics and the two replication alarms, paging like the rest", () => {
  expect(added(prod, noRtc)).toEqual([
    "aws:cloudwatch/metricAlarm:MetricAlarm alarms-replication-failures",
    "aws:cloudwatch/metricAlarm:MetricAlarm alarms-replication-latency",
  ]);
  const destination = (plan: PlanFile) =>
    named(plan, "replica-replication").inputs.rules[0].destination;
  expect(destination(prod).replicationTime).toEqual({ status: "Enabled", time: { minutes: 15 } });
  expect(destination(prod).metrics).toEqual({ status: "Enabled", eventThreshold: { minutes: 15 } });
  expect(destination(noRtc)).not.toHaveProperty("replicationTime");
  expect(destination(noRtc)).not.toHaveProperty("metrics");
  const dimensions = {
    SourceBucket: "stellar-insights-backups",
    DestinationBucket: "stellar-insights-backups-replica",
    RuleId: "backups-to-replica",
  };
  const topic = named(prod, "alarms-s3-unreachable").inputs.alarmActions;
  const latency = named(prod, "alarms-replication-latency").inputs;
  expect(latency).toMatchObject({
    name: "StellarBackup-prod-replication-latency",
    namespace: "AWS/S3",
    metricName: "ReplicationLatency",
    dimensions,
    statistic: "Maximum",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 900,
    period: 300,
    evaluationPeriods: 2,
    treatMissingData: "notBreaching",
    alarmActions: topic,
    okActions: topic,
  });
  expect(named(prod, "alarms-replication-failures").inputs).toMatchObject({
    name: "StellarBackup-prod-replication-failures",
    namespace: "AWS/S3",
    metricName: "OperationsFailedReplication",
    dimensions,
    statistic: "Sum",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    alarmActions: topic,
    okActions: topic,
  });
});

test("the host config names the replica only when there is one", () => {
  const hostConfig = (label: string) => JSON.parse(variantArtifact(label, "host-config.json"));
  expect(hostConfig("prod").replica).toEqual({
    bucket: "stellar-insights-backups-replica",
    region: "us-west-2",
  });
  expect(hostConfig("neither")).not.toHaveProperty("replica");
});

test("the docs' resource counts are these plans': prod's, and without either option", () => {
  expect(readAllPages()).toContain(
    `Prod's plan has ${prod.resources.length} resources; ${neither.resources.length} without either option.`,
  );
});
