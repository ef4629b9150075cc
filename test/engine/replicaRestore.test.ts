/**
 * Engine contract, restore from the cross-region replica (`SOURCE=replica`): real PostgreSQL 15,
 * the real engine, moto. Moto does not replicate, so the test copies this host's S3 repository into
 * a second bucket built from the plan's replica (as S3 replication would, object by object), then
 * hides the primary's copy behind delete markers (what a delete does under the Object Lock) and
 * restores from the replica alone.
 */
import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { POSTGRES_ENGINES } from "../../infra/catalog/engines";
import { createSandboxBucket } from "../../scripts/sandbox/bucket";
import { backupBucketLayout, loadPlan } from "../../scripts/sandbox/plan";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { copyLikeReplication, sandboxS3Client } from "../host/support/aws";
import { runJobProcess } from "../host/support/jobs";
import {
  anchorNames,
  archiveCurrentSegment,
  insertAnchors,
  postgresLogTail,
} from "./restoreSupport";
import { describeEachEngine } from "./support";

/** Every key under `prefix` (ListObjectsV2 pages). */
async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((o) => o.Key as string));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

describeEachEngine("restore from the replica", (engineKey) => {
  let sb: Sandbox;
  let s3: S3Client;
  const prefix = "postgres/replica-host/";

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey, hostId: "replica-host" });
    s3 = sandboxS3Client(sb);
    const run = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes" });
    expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
  }, 300_000);
  afterAll(async () => {
    s3?.destroy();
    await sb?.stop();
  });

  test("with the primary's repository deleted, pg-restore SOURCE=replica restores the latest state (an engine that cannot read another bucket: refused by name)", async () => {
    // Given rows committed after the backup and archived, and the repository copied into the replica
    await insertAnchors(sb, ["after-backup-1", "after-backup-2"]);
    await archiveCurrentSegment(sb);
    const expected = await anchorNames(sb);
    const replica = backupBucketLayout(
      loadPlan("prod", process.env.STELLAR_SANDBOX_SYNTH_DIR),
      "replica",
    );
    const region = sb.hostConfig.replica?.region as string;
    await createSandboxBucket(sb.moto.endpoint, region, replica);
    const keys = await keysUnder(s3, sb.bucket.name, prefix);
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) await copyLikeReplication(s3, sb.bucket.name, replica.name, key);
    // ... and the primary's repository gone (a delete marker on every key: the lock keeps the versions)
    for (const key of keys)
      await s3.send(new DeleteObjectCommand({ Bucket: sb.bucket.name, Key: key }));
    expect(await keysUnder(s3, sb.bucket.name, prefix)).toEqual([]);
    const fromPrimary = await runJobProcess("pg-restore", sb.env);
    expect(fromPrimary.code).not.toBe(0);

    // When the dry run, then the confirmed restore, read the replica
    const dry = await runJobProcess("pg-restore", { ...sb.env, SOURCE: "replica" });
    const descriptor = POSTGRES_ENGINES[engineKey];
    if (!descriptor.readsOtherBucket) {
      // Not built for this engine: refused by name, nothing touched (README "What is not built yet").
      expect(dry.code).toBe(1);
      expect(dry.stderr).toContain(
        `restoring from the replica bucket is not built for the ${descriptor.title} engine yet`,
      );
      expect(await anchorNames(sb)).toEqual(expected);
      return;
    }
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      `from the s3 repository of host replica-host in the replica s3://${replica.name} (${region})`,
    );
    await insertAnchors(sb, ["after-dry-run"]);
    const run = await runJobProcess("pg-restore", {
      ...sb.env,
      SOURCE: "replica",
      CONFIRM: "yes-restore",
    });

    // Then every row committed before the copy is back, and nothing written after it
    expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
    expect(await anchorNames(sb)).toEqual(expected);
  }, 600_000);

  test("REPOSITORY=local with SOURCE=replica is refused before anything is touched", async () => {
    const run = await runJobProcess("pg-restore", {
      ...sb.env,
      SOURCE: "replica",
      REPOSITORY: "local",
    });
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(
      "REPOSITORY=local cannot be read from SOURCE=replica: the replica holds the S3 repositories; use REPOSITORY=s3",
    );
  });
});
