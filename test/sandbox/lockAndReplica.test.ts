/**
 * The bucket's durability options against moto, as the prod plan declares them: the sandbox bucket
 * carries the plan's Object Lock (applied on the versioned bucket, as `pulumi up` applies it), the
 * jobs upload into it through their documents, and the host's credentials cannot destroy what they
 * wrote. Then the replica: moto does not replicate, so the test copies the dump into a second moto
 * bucket built from the plan's replica, deletes it from the primary, and restores through the
 * redis-restore document with `Source=replica`.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DocumentKey } from "../../infra/catalog";
import { CONFIG_ENV } from "../../scripts/lib/job/hostConfig";
import { createSandboxBucket } from "../../scripts/sandbox/bucket";
import { backupBucketLayout, loadPlan, type Plan } from "../../scripts/sandbox/plan";
import { sendCommand, uploadPlannedObjects } from "../../scripts/sandbox/agent";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { copyLikeReplication, sandboxS3Client } from "../host/support/aws";
import { runJobProcess } from "../host/support/jobs";

let sb: Sandbox;
let plan: Plan;
let s3: S3Client;
let dumpKey: string;
const redis = (...args: string[]) =>
  execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(sb.redis?.port), ...args], {
    encoding: "utf8",
  }).trim();
const send = (key: DocumentKey, parameters?: Record<string, string>) =>
  sendCommand(plan, sb, key, { parameters });
const bodyOf = async (bucket: string, key: string, versionId?: string) => {
  const out = await s3.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ...(versionId ? { VersionId: versionId } : {}),
    }),
  );
  return Buffer.from(await out.Body!.transformToByteArray());
};

beforeAll(async () => {
  sb = await startSandbox({ redis: true, postgres: false, hostId: "lock-host" });
  plan = loadPlan("prod", process.env.STELLAR_SANDBOX_SYNTH_DIR);
  s3 = sandboxS3Client(sb);
  await uploadPlannedObjects(plan, sb);
  expect((await send("install", { SetUpPostgresEngine: "no" })).exitCode).toBe(0);
  redis("SET", "ledger:anchor", "GA7...XLM");
  redis("SET", "ledger:corridor", "USD-NGN");
  const backup = await send("redis-backup");
  expect(backup.exitCode, backup.stderr).toBe(0);
  const listed = await s3.send(
    new ListObjectVersionsCommand({ Bucket: sb.bucket.name, Prefix: "redis/lock-host/" }),
  );
  expect(listed.Versions).toHaveLength(1);
  dumpKey = listed.Versions![0].Key!;
}, 180_000);

afterAll(async () => {
  s3?.destroy();
  await sb?.stop();
});

describe("Object Lock on the backup bucket", () => {
  test("the plan locks the bucket, and the job's upload got the default retention", async () => {
    expect(backupBucketLayout(plan).objectLock).toEqual({ mode: "GOVERNANCE", days: 14 });
    const head = await s3.send(new HeadObjectCommand({ Bucket: sb.bucket.name, Key: dumpKey }));
    expect(head.ObjectLockMode).toBe("GOVERNANCE");
    const days = (head.ObjectLockRetainUntilDate!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(13.9);
    expect(days).toBeLessThanOrEqual(14);
  });

  test("the host's credentials cannot delete the locked version: AccessDenied, and it is still there", async () => {
    const [version] =
      (await s3.send(new ListObjectVersionsCommand({ Bucket: sb.bucket.name, Prefix: dumpKey })))
        .Versions ?? [];
    const before = await bodyOf(sb.bucket.name, dumpKey, version.VersionId);
    const denied = await s3
      .send(
        new DeleteObjectCommand({
          Bucket: sb.bucket.name,
          Key: dumpKey,
          VersionId: version.VersionId,
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(denied).toBeInstanceOf(S3ServiceException);
    const e = denied as S3ServiceException;
    expect([e.name, e.$metadata.httpStatusCode, e.message]).toEqual([
      "AccessDenied",
      403,
      "Access Denied",
    ]);
    expect(await bodyOf(sb.bucket.name, dumpKey, version.VersionId)).toEqual(before);
  });

  test("a delete without a version id leaves a delete marker; the locked version survives", async () => {
    const [version] =
      (await s3.send(new ListObjectVersionsCommand({ Bucket: sb.bucket.name, Prefix: dumpKey })))
        .Versions ?? [];
    // The dump as stored (client-side encrypted when the stack encrypts: compared byte for byte).
    const stored = await bodyOf(sb.bucket.name, dumpKey, version.VersionId);
    const deleted = await s3.send(
      new DeleteObjectCommand({ Bucket: sb.bucket.name, Key: dumpKey }),
    );
    expect(deleted.DeleteMarker).toBe(true);
    const after = await s3.send(
      new ListObjectVersionsCommand({ Bucket: sb.bucket.name, Prefix: dumpKey }),
    );
    expect(after.DeleteMarkers?.map((m) => [m.Key, m.IsLatest])).toEqual([[dumpKey, true]]);
    expect(after.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([
      [version.VersionId, false],
    ]);
    const missing = await s3
      .send(new GetObjectCommand({ Bucket: sb.bucket.name, Key: dumpKey }))
      .then(
        () => undefined,
        (error: unknown) => (error as S3ServiceException).name,
      );
    expect(missing).toBe("NoSuchKey");
    expect(stored.length).toBeGreaterThan(0);
    expect((await bodyOf(sb.bucket.name, dumpKey, version.VersionId)).equals(stored)).toBe(true);
  });
});

describe("restores from the replica", () => {
  test("with the primary's dump gone, redis-restore Source=replica brings the keys back from the copy", async () => {
    // Given the replica bucket as the plan declares it, in its own region, holding a copy of the
    // dump (moto does not replicate: the copy stands in for S3 replication, metadata included)
    const replica = backupBucketLayout(plan, "replica");
    expect(sb.hostConfig.replica).toEqual({ bucket: replica.name, region: "us-west-2" });
    expect(replica.objectLock).toEqual({ mode: "GOVERNANCE", days: 14 });
    await createSandboxBucket(sb.moto.endpoint, "us-west-2", replica);
    const [version] =
      (await s3.send(new ListObjectVersionsCommand({ Bucket: sb.bucket.name, Prefix: dumpKey })))
        .Versions ?? [];
    await copyLikeReplication(s3, sb.bucket.name, replica.name, dumpKey, version.VersionId);
    // ... and the primary no longer serving it (the delete marker of the test above)
    redis("FLUSHALL");
    redis("SET", "ledger:after-backup", "1");
    const fromPrimary = await send("redis-restore");
    expect(fromPrimary.exitCode).toBe(64);
    expect(fromPrimary.stderr).toContain(
      `no Redis dump under s3://${sb.bucket.name}/redis/lock-host/`,
    );

    // When the restore reads the replica
    const dry = await send("redis-restore", { Source: "replica" });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would download s3://${replica.name}/${dumpKey}`);
    expect(redis("EXISTS", "ledger:anchor")).toBe("0");
    const restore = await send("redis-restore", { Source: "replica", Confirm: "yes-restore" });

    // Then the keys of the backup are back
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(redis("GET", "ledger:anchor")).toBe("GA7...XLM");
    expect(redis("GET", "ledger:corridor")).toBe("USD-NGN");
    expect(redis("EXISTS", "ledger:after-backup")).toBe("0");
  }, 180_000);

  test("a host config without a replica refuses SOURCE=replica before touching anything", async () => {
    const { replica: _replica, ...withoutReplica } = JSON.parse(
      readFileSync(sb.hostConfigPath, "utf8"),
    ) as Record<string, unknown>;
    const path = join(sb.dir, "host-config-without-replica.json");
    writeFileSync(path, JSON.stringify(withoutReplica));
    const run = await runJobProcess("redis-restore", {
      ...sb.env,
      [CONFIG_ENV]: path,
      SOURCE: "replica",
    });
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(
      "SOURCE=replica: this host config names no replica bucket (the stack's `replication` option is off); use SOURCE=primary",
    );
  });
});
