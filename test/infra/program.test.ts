/**
 * The real program under Pulumi's mock runtime, with the prod stack file's config.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { synthesizeStack } from "../../infra/synth/synthesizeStack";
import type { Plan, PlannedResource } from "../../infra/synth/plan";

let plan: Plan;

function only(
  type: string,
  predicate: (r: PlannedResource) => boolean = () => true,
): PlannedResource {
  const found = plan.resources.filter((r) => r.type === type && predicate(r));
  expect(found, `exactly one ${type}`).toHaveLength(1);
  return found[0];
}
const onBucket = (bucket: string) => (r: PlannedResource) => r.inputs.bucket === bucket;
const BUCKET = "stellar-insights-backups";
const LOG_BUCKET = "stellar-insights-backups-access-logs";

beforeAll(async () => {
  plan = await synthesizeStack("prod");
});

describe("BackupBucket", () => {
  test("the backup bucket and its key are protected from deletion", () => {
    const bucket = only("aws:s3/bucket:Bucket", (r) => r.inputs.bucket === BUCKET);
    expect(bucket).toMatchObject({ parent: "backups", protect: true });
    expect(bucket.inputs.forceDestroy).toBe(false);
    const key = only("aws:kms/key:Key", (r) => r.parent === "backups");
    expect(key).toMatchObject({ parent: "backups", protect: true });
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
  });

  test("SSE-KMS with the customer-managed key", () => {
    const sse = only(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      onBucket(BUCKET),
    );
    expect(sse.inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/backups-key-id",
        },
        bucketKeyEnabled: true,
      },
    ]);
  });

  test("versioned, never public, owner-enforced, TLS only, access-logged", () => {
    expect(
      only("aws:s3/bucketVersioning:BucketVersioning", onBucket(BUCKET)).inputs
        .versioningConfiguration,
    ).toEqual({
      status: "Enabled",
    });
    for (const bucket of [BUCKET, LOG_BUCKET]) {
      expect(
        only("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", onBucket(bucket)).inputs,
      ).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(
        only("aws:s3/bucketOwnershipControls:BucketOwnershipControls", onBucket(bucket)).inputs
          .rule,
      ).toEqual({
        objectOwnership: "BucketOwnerEnforced",
      });
    }
    const policy = JSON.parse(
      String(only("aws:s3/bucketPolicy:BucketPolicy", onBucket(BUCKET)).inputs.policy),
    );
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: "Deny",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    ]);
    expect(only("aws:s3/bucketLogging:BucketLogging").inputs).toMatchObject({
      bucket: BUCKET,
      targetBucket: LOG_BUCKET,
      targetPrefix: "s3-access/",
    });
  });

  test("lifecycle days equal the stack's retentionDays; the log bucket has its own retention", () => {
    const lifecycle = only(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      onBucket(BUCKET),
    );
    const days = Object.fromEntries(
      (lifecycle.inputs.rules as { id: string; expiration?: { days: number } }[]).map((r) => [
        r.id,
        r.expiration?.days,
      ]),
    );
    expect(days).toEqual({
      // Artifacts keep their current versions (manifests pin them); only noncurrent ones expire.
      "artifacts-noncurrent-versions": undefined,
      "configs-retention": 90,
      "logs-retention": 30,
      "postgres-engine-backstop": 60,
      "redis-retention": 30,
    });
    const logLifecycle = only(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      onBucket(LOG_BUCKET),
    );
    expect(logLifecycle.inputs.rules).toEqual([
      expect.objectContaining({ filter: { prefix: "s3-access/" }, expiration: { days: 365 } }),
    ]);
    const logSse = only(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      onBucket(LOG_BUCKET),
    );
    expect(logSse.inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
  });

  test("every bucket-level resource is a child of its component (the backup bucket's or the replica's)", () => {
    const bucketLevel = plan.resources.filter(
      (r) =>
        (r.type.startsWith("aws:s3/") && r.type !== "aws:s3/bucketObjectv2:BucketObjectv2") ||
        ["backups-key", "backups-key-alias", "replica-key", "replica-key-alias"].includes(r.name),
    );
    // 16 for the backup bucket and its log bucket, plus its Object Lock; 9 for the replica,
    // plus its lock and the replication configuration on the backup bucket.
    expect(bucketLevel.filter((r) => r.parent === "backups")).toHaveLength(17);
    expect(bucketLevel.filter((r) => r.parent === "replica")).toHaveLength(11);
    expect(new Set(bucketLevel.map((r) => r.parent))).toEqual(new Set(["backups", "replica"]));
    expect(only("stellar:backup:BackupBucket").parent).toBeNull();
  });
});

describe("HostAccess", () => {
  test("per host of stack config `hosts`: an EC2 role with the SSM agent's grants, its own scoped backup policy and an instance profile", () => {
    const onHosts = (r: PlannedResource) => r.parent === "db-hosts";
    // Pulumi.prod.yaml lists one host, prod-db-1.
    const role = only("aws:iam/role:Role", onHosts);
    expect(role.name).toBe("db-hosts-prod-db-1-role");
    expect(role.inputs.tags).toMatchObject({ "stellar-insights:host-id": "prod-db-1" });
    expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Principal).toEqual({
      Service: "ec2.amazonaws.com",
    });
    // No managed policy: AmazonSSMManagedInstanceCore reads every parameter of the account.
    expect(
      plan.resources.filter(
        (r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && onHosts(r),
      ),
    ).toEqual([]);
    // The SSM agent's, the backup policy, and (prod turns clientSideEncryption on) the client-side
    // encryption one.
    const policies = plan.resources.filter(
      (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && onHosts(r),
    );
    expect(policies.map((r) => r.name).sort()).toEqual([
      "db-hosts-prod-db-1-backup-policy",
      "db-hosts-prod-db-1-client-side-encryption",
      "db-hosts-prod-db-1-ssm-agent",
    ]);
    for (const resource of policies) {
      const policy = JSON.parse(String(resource.inputs.policy));
      const actions = policy.Statement.flatMap((s: { Action: string | string[] }) =>
        [s.Action].flat(),
      );
      expect(actions).not.toContain("s3:*");
      expect(actions).not.toContain("kms:*");
      expect(actions).not.toContain("*");
    }
    const backupPolicy = JSON.parse(
      String(policies.find((r) => r.name === "db-hosts-prod-db-1-backup-policy")?.inputs.policy),
    );
    const s3Objects = backupPolicy.Statement.flatMap((s: { Resource: string | string[] }) =>
      [s.Resource].flat(),
    ).filter((r: string) => r.startsWith(`arn:aws:s3:::${BUCKET}/`));
    expect(
      s3Objects.filter(
        (r: string) => !/\/(configs|logs|postgres|redis)\/prod-db-1\/\*$|\/artifacts\/\*$/.test(r),
      ),
    ).toEqual([]);
    expect(only("aws:iam/instanceProfile:InstanceProfile").name).toBe("db-hosts-prod-db-1-profile");
    expect(
      only("aws:cloudwatch/logGroup:LogGroup", (r) => r.parent === "db-hosts").inputs,
    ).toMatchObject({
      name: "/stellar-insights-backup/prod/jobs",
      retentionInDays: 90,
    });
    expect(Object.keys(plan.outputs.hostInstanceProfiles as object)).toEqual(["prod-db-1"]);
  });
});

test("outputs name the bucket, key and the PostgreSQL repository root", () => {
  expect(plan.outputs).toMatchObject({
    bucketName: BUCKET,
    bucketArn: `arn:aws:s3:::${BUCKET}`,
    postgresRepositoryRoot: `s3://${BUCKET}/postgres`,
    postgresRetention: 30,
  });
});
