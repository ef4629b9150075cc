/**
 * The sandbox itself: the bucket as the plan declares it, PostgreSQL and Redis configured from the
 * rendered fragments, and a stop that leaves nothing behind.
 */
import { existsSync } from "node:fs";
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { postgresConf } from "../../infra/content/host/postgresConf";
import { isAlive } from "../../scripts/lib/job/lock";
import { runCommand } from "../../scripts/lib/job/exec";
import { toSdkShape, withoutTlsOnlyStatements } from "../../scripts/sandbox/bucket";
import { backupBucketLayout, loadPlan } from "../../scripts/sandbox/plan";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { connectStellarInsights } from "./support/postgres";
import { redisCommand } from "./support/redis";

describe("sandbox", () => {
  let sb: Sandbox;
  let s3: S3Client;
  beforeAll(async () => {
    sb = await startSandbox();
    s3 = new S3Client({
      region: "us-east-1",
      endpoint: sb.moto.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
  });
  afterAll(async () => {
    s3?.destroy();
    await sb?.stop();
  });

  test("the bucket has the plan's name, versioning, SSE-KMS with a bucket key, and lifecycle rules", async () => {
    const layout = backupBucketLayout(loadPlan("prod", process.env.STELLAR_SANDBOX_SYNTH_DIR));
    expect(sb.bucket.name).toBe("stellar-insights-backups");
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: sb.bucket.name }))).Status).toBe(
      "Enabled",
    );
    const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: sb.bucket.name })))
      .ServerSideEncryptionConfiguration?.Rules?.[0];
    expect(rule?.ApplyServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: "aws:kms",
      KMSMasterKeyID: sb.bucket.kmsKeyArn,
    });
    expect(rule?.BucketKeyEnabled).toBe(true);
    const lifecycle = await s3.send(
      new GetBucketLifecycleConfigurationCommand({ Bucket: sb.bucket.name }),
    );
    expect(lifecycle.Rules?.map((r) => [r.ID, r.Expiration?.Days]).sort()).toEqual(
      layout.lifecycleRules
        .map((r) => [r.id, (r.expiration as { days: number } | undefined)?.days])
        .sort(),
    );
    // The plan's only statement is TLS-only, which moto's plain HTTP would always fail: no policy.
    expect(sb.bucket.policyApplied).toBe(false);
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: sb.bucket.name }))).rejects.toThrow(
      /policy/i,
    );
  });

  test("PostgreSQL 15 runs as postgres with the rendered fragment's settings", async () => {
    const client = await connectStellarInsights(sb);
    try {
      const setting = async (name: string) =>
        (await client.query(`SELECT current_setting('${name}') AS v`)).rows[0].v;
      expect(await setting("server_version_num")).toMatch(/^15/);
      expect(await setting("wal_level")).toBe("replica");
      expect(await setting("archive_mode")).toBe("on");
      expect(await setting("archive_timeout")).toBe("10s");
      expect(await setting("archive_command")).toBe(
        /archive_command = '(.*)'/.exec(postgresConf(sb.hostConfig))?.[1],
      );
      const counts = await client.query(
        "SELECT (SELECT count(*) FROM anchors)::int AS anchors, (SELECT count(*) FROM corridors)::int AS corridors",
      );
      expect(counts.rows[0]).toEqual({ anchors: 5, corridors: 3 });
      const owner = await runCommand(["stat", "-c", "%U", sb.hostConfig.postgres.pgData]);
      expect(owner.stdout.trim()).toBe("postgres");
    } finally {
      await client.end();
    }
  });

  test("Redis runs as redis with exactly the runbook's save points from the fragment", async () => {
    expect(await redisCommand(sb, ["CONFIG", "GET", "save"])).toEqual({
      save: "900 1 300 10 60 10000",
    });
    expect(await redisCommand(sb, ["CONFIG", "GET", "dir"])).toEqual({
      dir: sb.hostConfig.redis.dir,
    });
    const pid = /process_id:(\d+)/.exec(String(await redisCommand(sb, ["INFO", "server"])))?.[1];
    expect((await runCommand(["ps", "-o", "user=", "-p", String(pid)])).stdout.trim()).toBe(
      "redis",
    );
  });

  test("stop ends every service and removes the temp dir", async () => {
    const other = await startSandbox({ seed: false });
    const pgPid = Number(
      (
        await runCommand(["head", "-1", `${other.hostConfig.postgres.pgData}/postmaster.pid`])
      ).stdout.trim(),
    );
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
    expect(isAlive(other.moto.pid)).toBe(false);
    expect(isAlive(pgPid)).toBe(false);
    expect(
      (await runCommand(["redis-cli", "-p", String(other.hostConfig.redis.port), "ping"])).code,
    ).not.toBe(0);
  });
});

describe("bucket layout helpers", () => {
  test("withoutTlsOnlyStatements keeps every other statement and drops an all-TLS policy", () => {
    const tls = {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: "*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
    const other = {
      Sid: "AllowLogs",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: "*",
    };
    expect(
      withoutTlsOnlyStatements(JSON.stringify({ Version: "2012-10-17", Statement: [tls] })),
    ).toBeUndefined();
    expect(
      JSON.parse(
        withoutTlsOnlyStatements(
          JSON.stringify({ Version: "2012-10-17", Statement: [tls, other] }),
        ) as string,
      ),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [other],
    });
  });

  test("toSdkShape turns Pulumi rule inputs into the SDK's names", () => {
    expect(
      toSdkShape([
        {
          id: "logs",
          status: "Enabled",
          filter: { prefix: "logs/" },
          noncurrentVersionExpiration: { noncurrentDays: 7 },
        },
      ]),
    ).toEqual([
      {
        ID: "logs",
        Status: "Enabled",
        Filter: { Prefix: "logs/" },
        NoncurrentVersionExpiration: { NoncurrentDays: 7 },
      },
    ]);
  });
});
