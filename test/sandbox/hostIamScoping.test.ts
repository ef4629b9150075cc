/**
 * No host may write another host's prefix: the host policy `pulumi up` attaches, enforced
 * by moto's IAM. A moto_server of its own is set up (bucket, one IAM user per host holding exactly
 * `hostPolicy(...)` for that host, their access keys) and then switched to enforcing IAM
 * (`/moto-api/reset-auth`, moto's INITIAL_NO_AUTH_ACTION_COUNT), and each host's own credentials
 * try its own and the other host's prefixes.
 *
 * What moto cannot show: it evaluates Allow/Deny by action and resource (wildcards included) but
 * not condition keys or policy variables, so the `s3:prefix` condition on ListBucket is not tested
 * here (hostPolicy's tests pin its exact value), and the policy sits on an IAM user where AWS has
 * the host's instance-profile role: the document is the same, the principal kind differs.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hostPolicy } from "../../infra/content/aws/hostPolicy";
import { SANDBOX_AWS_ENV, startMoto, type MotoServer } from "../../scripts/sandbox/moto";

const run = promisify(execFile);
const REGION = "us-east-1";
const BUCKET = "stellar-insights-backups";

interface Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

describe("each host's role reaches its own prefixes only (moto enforcing IAM)", () => {
  let dir: string;
  let moto: MotoServer;
  const keys = new Map<string, Keys>();

  /** The AWS CLI against this moto, as the account's administrator (before enforcement). */
  const admin = async (...args: string[]): Promise<string> => {
    const { stdout } = await run("aws", ["--endpoint-url", moto.endpoint, ...args], {
      env: {
        ...process.env,
        ...SANDBOX_AWS_ENV,
        AWS_SESSION_TOKEN: "",
        AWS_DEFAULT_REGION: REGION,
      },
    });
    return stdout;
  };

  const s3As = (host: string) =>
    new S3Client({
      region: REGION,
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: keys.get(host)!,
    });

  /** "ok" or the error's name (AccessDenied when IAM refuses). */
  const attempt = async (
    host: string,
    command: PutObjectCommand | GetObjectCommand | DeleteObjectCommand,
  ) => {
    const client = s3As(host);
    try {
      const out = await client.send(command as PutObjectCommand);
      if (command instanceof GetObjectCommand)
        await (
          out as { Body?: { transformToString(): Promise<string> } }
        ).Body?.transformToString();
      return "ok";
    } catch (error) {
      return (error as Error).name;
    } finally {
      client.destroy();
    }
  };
  const put = (host: string, key: string) =>
    attempt(host, new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `written by ${host}` }));
  const get = (host: string, key: string) =>
    attempt(host, new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const del = (host: string, key: string) =>
    attempt(host, new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "stellar-iam-"));
    moto = await startMoto(dir);
    // Given the bucket holds a config archive of db-b (its .env among the files)
    await admin("s3api", "create-bucket", "--bucket", BUCKET);
    await admin(
      "s3api",
      "put-object",
      "--bucket",
      BUCKET,
      "--key",
      "configs/db-b/app/20261129T120000Z.tar.gz",
    );
    // And each host has the policy the stack gives it; staging may restore from db-a
    const hosts: Record<string, string[]> = { "db-a": [], "db-b": [], staging: ["db-a"] };
    for (const [host, restoreFrom] of Object.entries(hosts)) {
      await admin("iam", "create-user", "--user-name", host);
      await admin(
        "iam",
        "put-user-policy",
        "--user-name",
        host,
        "--policy-name",
        "backup",
        "--policy-document",
        hostPolicy({
          bucketArn: `arn:aws:s3:::${BUCKET}`,
          kmsKeyArn: `arn:aws:kms:${REGION}:123456789012:key/k`,
          logGroupArn: `arn:aws:logs:${REGION}:123456789012:log-group:/stellar-insights-backup/prod/jobs`,
          metricNamespace: "StellarInsights/Backup",
          region: REGION,
          hostId: host,
          restoreFrom,
        }),
      );
      const created = JSON.parse(await admin("iam", "create-access-key", "--user-name", host)) as {
        AccessKey: { AccessKeyId: string; SecretAccessKey: string };
      };
      keys.set(host, {
        accessKeyId: created.AccessKey.AccessKeyId,
        secretAccessKey: created.AccessKey.SecretAccessKey,
      });
    }
    // When moto starts enforcing IAM for every request from now on
    const reset = await fetch(`${moto.endpoint}/moto-api/reset-auth`, {
      method: "POST",
      body: "0",
    });
    expect(reset.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("enforcement is on: a key moto does not know is refused", async () => {
    keys.set("stranger", { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" });
    expect(await put("stranger", "configs/db-a/app/x.tar.gz")).not.toBe("ok");
  });

  test("a host writes and reads its own prefixes, and its engine deletes under its own postgres/", async () => {
    expect(await put("db-a", "configs/db-a/app/20261129T130000Z.tar.gz")).toBe("ok");
    expect(await get("db-a", "configs/db-a/app/20261129T130000Z.tar.gz")).toBe("ok");
    expect(await put("db-a", "redis/db-a/20261129T130000Z.rdb")).toBe("ok");
    expect(await put("db-a", "logs/db-a/2026-11-29/app.log.gz")).toBe("ok");
    expect(await put("db-a", "postgres/db-a/archive/main/x")).toBe("ok");
    expect(await del("db-a", "postgres/db-a/archive/main/x")).toBe("ok");
  });

  test("a host cannot write, read or delete another host's prefixes (nor a host whose id starts like its own)", async () => {
    expect(await put("db-a", "configs/db-b/app/20261129T130000Z.tar.gz")).toBe("AccessDenied");
    expect(await get("db-a", "configs/db-b/app/20261129T120000Z.tar.gz")).toBe("AccessDenied");
    expect(await put("db-a", "redis/db-b/20261129T130000Z.rdb")).toBe("AccessDenied");
    expect(await put("db-a", "postgres/db-b/archive/main/x")).toBe("AccessDenied");
    expect(await del("db-a", "postgres/db-b/archive/main/x")).toBe("AccessDenied");
    expect(await put("db-a", "configs/db-ab/app/x.tar.gz")).toBe("AccessDenied");
    expect(await del("db-a", "configs/db-a/app/20261129T130000Z.tar.gz")).toBe("AccessDenied");
  });

  test("a restore source is readable by the host allowed to restore from it, never writable", async () => {
    expect(await get("staging", "configs/db-a/app/20261129T130000Z.tar.gz")).toBe("ok");
    expect(await put("staging", "configs/db-a/app/20261129T140000Z.tar.gz")).toBe("AccessDenied");
    expect(await get("staging", "configs/db-b/app/20261129T120000Z.tar.gz")).toBe("AccessDenied");
    expect(await get("db-b", "configs/db-a/app/20261129T130000Z.tar.gz")).toBe("AccessDenied");
  });
});
