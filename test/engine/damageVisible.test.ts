/**
 * Engine contract, damage that a listing must show: a WAL segment whose object is emptied in both
 * repositories, and a newest backup that read pages failing their checksums. Real PostgreSQL 15
 * (with data checksums), the real engine, moto behind the sandbox's TLS front; objects are damaged
 * through the S3 API and on disk, named by the engine's own layout (descriptor `s3Layout`).
 */
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { engineFor } from "../../scripts/lib/engines";
import { localRepositoryPath } from "../../scripts/lib/engines/engineProcess";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { listKeys, sandboxS3Client } from "../host/support/aws";
import { runJobProcess } from "../host/support/jobs";
import { archiveCurrentSegment, damageTableOnDisk, insertAnchors } from "./restoreSupport";
import { describeEachEngine, repositoryKey } from "./support";

describeEachEngine("damage the listings show", (engineKey) => {
  let sb: Sandbox;
  let s3: S3Client;
  const engine = () => engineFor(sb.hostConfig, hostIdOf(sb.hostConfig));
  const repoPrefix = () => `${sb.hostConfig.s3Prefixes.postgres}${hostIdOf(sb.hostConfig)}/`;

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey, dataChecksums: true });
    s3 = sandboxS3Client(sb);
    const first = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes" });
    expect(first.code, first.stderr).toBe(0);
  }, 240_000);
  afterAll(async () => {
    s3?.destroy();
    await sb?.stop();
  });

  test("a WAL segment emptied in both repositories fails pg-verify naming it in each, and the recoverable window ends before it", async () => {
    // Given four more segments archived after the backup, each with a commit
    const written: string[] = [];
    for (let i = 0; i < 4; i++) {
      await insertAnchors(sb, [`window-${i}`]);
      written.push(await archiveCurrentSegment(sb));
    }
    const prefix = repoPrefix();
    const keys = await listKeys(sb, prefix);
    // When the second of them is emptied in S3 (a new current version) and in the local repository
    const victim = written[1];
    const key = keys.find((k) => repositoryKey(engineKey, prefix, k).walSegment === victim);
    expect(key, keys.join("\n")).toBeDefined();
    const relative = key!.slice(prefix.length);
    const localFile = join(localRepositoryPath(sb.hostConfig), relative);
    const original = readFileSync(localFile);
    const stored = await s3.send(new GetObjectCommand({ Bucket: sb.bucket.name, Key: key }));
    const originalObject = Buffer.from(await stored.Body!.transformToByteArray());
    await s3.send(
      new PutObjectCommand({ Bucket: sb.bucket.name, Key: key, Body: Buffer.alloc(0) }),
    );
    truncateSync(localFile, 0);
    try {
      // Then pg-verify fails and names the empty object in each repository
      const run = await runJobProcess("pg-verify", sb.env);
      expect(run.code, run.stdout).toBe(1);
      expect(run.stderr).toContain(`s3 repository: ${relative} is empty`);
      expect(run.stderr).toContain(`local repository: ${relative} is empty`);
      const verified = run.logs.filter((l) => l.msg === "verify").map((l) => l.fields);
      for (const report of verified) {
        // No reported WAL range covers the emptied segment
        const ranges = report?.walRanges as { start: string; stop: string }[];
        expect(
          ranges.some((r) => r.start <= victim && victim <= r.stop),
          JSON.stringify(ranges),
        ).toBe(false);
      }
      // And the restore plan's window ends at the segment before it, not at the newest one
      const segments = await engine().archivedWal({
        repository: "s3",
        host: hostIdOf(sb.hostConfig),
      });
      const before = segments.find((s) => s.name === written[0])!;
      const after = segments.find((s) => s.name === written[3])!;
      const dry = await runJobProcess("pg-restore", {
        ...sb.env,
        TARGET: "time",
        TARGET_TIME: after.archivedAt.toISOString(),
      });
      expect(dry.code).not.toBe(0);
      expect(dry.stderr).toContain(
        `the archive is contiguous and readable up to segment ${before.name}, archived at ${before.archivedAt.toISOString()}`,
      );
      console.log(`emptied ${relative}: ${dry.stderr.trim().split("\n").at(-1)}`);
    } finally {
      // The segment as archived again: a new current version, and the local file rewritten
      await s3.send(
        new PutObjectCommand({ Bucket: sb.bucket.name, Key: key, Body: originalObject }),
      );
      writeFileSync(localFile, original);
    }
  }, 420_000);

  test("a newest backup that read damaged pages fails pg-backup naming the file and page, and every listing names it instead of passing it over", async () => {
    const goodBefore = (await engine().list("s3")).filter((b) => b.ok).at(-1)!;
    // Given a table's page damaged on disk (the page is clean in PostgreSQL's memory)
    const file = await damageTableOnDisk(sb, "ledger", 4000, Buffer.from("damaged by the test"));
    const path = join(sb.hostConfig.postgres.pgData, file);
    const original = readFileSync(path);
    try {
      // When pg-backup runs
      const backup = await runJobProcess("pg-backup", {
        ...sb.env,
        START_FAST: "yes",
        LOCAL: "no",
      });
      // Then it fails naming the relation file and its page
      expect(backup.code).toBe(1);
      expect(backup.stderr).toContain(`${file} at page(s) 0`);
      const damaged = (await engine().list("s3")).at(-1)!;
      expect(damaged.ok).toBe(false);
      expect(damaged.name).not.toBe(goodBefore.name);
      const named = `backup ${damaged.name} is damaged`;

      // And pg-verify fails naming it
      const verify = await runJobProcess("pg-verify", { ...sb.env, REPOSITORIES: "s3" });
      expect(verify.code).toBe(1);
      expect(verify.stderr).toContain(named);
      // And the health check's backup age is critical naming it, while the age published is the
      // newest good backup's
      const health = await runJobProcess("health-check", { ...sb.env, CHECKS: "postgres-backup" });
      expect(health.code).toBe(2);
      expect(`${health.stdout}${health.stderr}`).toContain(named);
      // And the weekly restore test fails on it instead of testing the older clean backup
      const restoreTest = await runJobProcess("pg-restore-test", sb.env);
      expect(restoreTest.code).toBe(1);
      expect(restoreTest.stderr).toContain(
        `the newest backup in the S3 repository cannot be trusted: ${named}`,
      );
      expect(restoreTest.stdout).not.toContain(`"backup":"${goodBefore.name}"`);
      // And the restore plan says it passes over it, by name
      const dry = await runJobProcess("pg-restore", { ...sb.env, TARGET: "latest" });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`passed over because they are damaged: ${named}`);
      console.log(`damaged backup: ${backup.stderr.trim().split("\n").at(-1)}`);
    } finally {
      writeFileSync(path, original);
    }
  }, 600_000);
});
