/**
 * Engine contract, backups: real PostgreSQL 15, the real engine, moto behind the sandbox's TLS
 * front. Given a seeded cluster, when pg-backup runs, then the backup is listed in both
 * repositories with the check tables' row counts, pg-verify passes, and each kind of damage makes
 * pg-verify fail naming what is damaged.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { engineFor } from "../../scripts/lib/engines";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { postgresBackupAge } from "../../scripts/lib/postgres/backupAge";
import { utcStamp } from "../../scripts/lib/job/time";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { listKeys, sandboxS3Client } from "../host/support/aws";
import { runJobProcess } from "../host/support/jobs";
import { connectStellarInsights } from "../host/support/postgres";
import { describeEachEngine, repositoryKey } from "./support";

describeEachEngine("backup, list and verify", (engineKey) => {
  let sb: Sandbox;
  let s3: S3Client;
  const engine = () => engineFor(sb.hostConfig, hostIdOf(sb.hostConfig));
  const repoPrefix = () => `${sb.hostConfig.s3Prefixes.postgres}${hostIdOf(sb.hostConfig)}/`;

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey });
    s3 = sandboxS3Client(sb);
  }, 180_000);
  afterAll(async () => {
    s3?.destroy();
    await sb?.stop();
  });

  test("pg-verify fails with 'no backup' before the first backup", async () => {
    const run = await runJobProcess("pg-verify", { ...sb.env, REPOSITORIES: "s3" });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain("no PostgreSQL backup in the S3 repository");
  }, 120_000);

  test("pg-backup takes a full backup into S3 and the local repository, with the check tables' row counts", async () => {
    const client = await connectStellarInsights(sb);
    await client.query(
      "INSERT INTO anchors (name) SELECT 'extra-' || g FROM generate_series(1, 7) g",
    );
    await client.end();
    const run = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes" });
    expect(run.code, run.stderr).toBe(0);
    const s3Backups = await engine().list("s3");
    const local = await engine().list("local");
    expect(s3Backups).toHaveLength(1);
    expect(local).toHaveLength(1);
    expect(s3Backups[0].kind).toBe("full");
    expect(s3Backups[0].ok).toBe(true);
    expect(s3Backups[0].annotations).toMatchObject({ "rows.anchors": "12", "rows.corridors": "3" });
    expect(s3Backups[0].name).toMatch(new RegExp(engine().descriptor.backupNamePattern));
    expect(run.stdout).toContain(`full backup ${s3Backups[0].name} in S3`);
    // The repository lives under this host's own prefix, encrypted with the stack's key.
    const keys = await listKeys(sb, repoPrefix());
    expect(keys.length).toBeGreaterThan(3);
    const head = await s3.send(new GetObjectCommand({ Bucket: sb.bucket.name, Key: keys[0] }));
    expect(head.ServerSideEncryption).toBe("aws:kms");
    head.Body?.transformToByteArray().catch(() => undefined);
  }, 300_000);

  test("pg-verify passes on a fresh backup, and a second pg-backup adds one built on the full locally", async () => {
    const verify = await runJobProcess("pg-verify", sb.env);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain("PostgreSQL backups verified in s3 and local");
    const again = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes" });
    expect(again.code, again.stderr).toBe(0);
    // Only the files changed since the full: one step on it (wal-g cannot tell an incremental on
    // the newest full from a differential, which holds the same files).
    const [full, second, ...more] = await engine().list("local");
    expect([full.kind, more]).toEqual(["full", []]);
    expect(["incremental", "differential"]).toContain(second.kind);
    expect(second.prior).toBe(full.name);
    expect((await engine().list("s3")).map((b) => b.kind)).toEqual(["full", "full"]);
  }, 300_000);

  test("cleanup: a dry run removes nothing and says what it would; the real run keeps every backup still within retention", async () => {
    // Given a local copy of another row far past its retention (and a newer one: pruning never
    // removes a row's newest copy), and the backups taken above
    const redisDir = join(sb.hostConfig.local.root, "redis");
    mkdirSync(redisDir, { recursive: true });
    const stale = join(redisDir, "dump-20200101T000000Z.rdb");
    writeFileSync(stale, "REDIS0011 old dump");
    const fresh = join(redisDir, `dump-${utcStamp(new Date())}.rdb`);
    writeFileSync(fresh, "REDIS0011 new dump");
    const backups = (await engine().list()).map((b) => `${b.repository}:${b.name}`);

    const dry = await runJobProcess("cleanup", { ...sb.env, DRY_RUN: "yes" });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/DRY RUN, nothing removed: .*1 local copy past retention/);
    expect(existsSync(stale)).toBe(true);
    expect((await engine().list()).map((b) => `${b.repository}:${b.name}`)).toEqual(backups);

    const real = await runJobProcess("cleanup", sb.env);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain(
      `expired 0 PostgreSQL backup(s) (${backups.length} kept); pruned 1 local copy`,
    );
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect((await engine().list()).map((b) => `${b.repository}:${b.name}`)).toEqual(backups);
  }, 180_000);

  test("the newest good backup's age is judged from its stop time: over the limit a day later", async () => {
    const backups = await engine().list("s3");
    const newest = backups.at(-1)!;
    const dayLater = new Date(newest.stoppedAt.getTime() + 25 * 3600_000);
    const late = postgresBackupAge(backups, dayLater, 24 * 3600);
    expect(late.ageSeconds).toBe(25 * 3600);
    expect(late.problem).toBe(
      `the newest backup ${newest.name} stopped 25 hours ago, over the limit of 1 day`,
    );
    expect(
      postgresBackupAge(backups, new Date(newest.stoppedAt.getTime() + 3600_000), 24 * 3600)
        .problem,
    ).toBeUndefined();
    expect(postgresBackupAge([], dayLater, 24 * 3600).problem).toBe(
      "no PostgreSQL backup in the S3 repository: run pg-backup",
    );
  });

  test("pg-verify names a corrupted backup file, a WAL segment deleted from the bucket and one pushed empty", async () => {
    const prefix = repoPrefix();
    const keys = await listKeys(sb, prefix);
    const newest = (await engine().list("s3")).at(-1)!;
    const backupFile = keys.find(
      (k) => repositoryKey(engineKey, prefix, k).backupData === newest.name,
    );
    expect(backupFile, keys.join("\n")).toBeDefined();
    const object = await s3.send(new GetObjectCommand({ Bucket: sb.bucket.name, Key: backupFile }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    bytes.write("DAMAGED!", Math.floor(bytes.length / 2));
    await s3.send(new PutObjectCommand({ Bucket: sb.bucket.name, Key: backupFile, Body: bytes }));
    const segment = keys.find(
      (k) => repositoryKey(engineKey, prefix, k).walSegment === newest.walStart,
    );
    expect(segment, keys.join("\n")).toBeDefined();
    await s3.send(new DeleteObjectCommand({ Bucket: sb.bucket.name, Key: segment }));

    const run = await runJobProcess("pg-verify", { ...sb.env, REPOSITORIES: "s3" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`s3 repository: WAL segment ${newest.walStart} is missing`);
    expect(run.stderr).toMatch(/s3 repository: (invalid checksum|backup \S+ is invalid)/);

    // And a WAL segment that a push left empty (zero bytes under its full name): the engine's
    // verify stops at it without naming it, so the job names it from the repository's listing
    const walKeys = keys.filter((k) => {
      const segment = repositoryKey(engineKey, prefix, k).walSegment;
      return segment !== undefined && segment !== newest.walStart;
    });
    const emptied = walKeys.sort().at(0)!;
    await s3.send(
      new PutObjectCommand({ Bucket: sb.bucket.name, Key: emptied, Body: Buffer.alloc(0) }),
    );
    const again = await runJobProcess("pg-verify", { ...sb.env, REPOSITORIES: "s3" });
    expect(again.code).toBe(1);
    const emptiedSegment = repositoryKey(engineKey, prefix, emptied).walSegment;
    // The object is named as the repository names it (its path under postgres/<host>/).
    const emptiedObject = emptied.slice(prefix.length).replace(/[.]/g, "\\.");
    expect(again.stderr).toMatch(new RegExp(`s3 repository: ${emptiedObject} is empty`));
    expect(emptiedSegment).toMatch(/^[0-9A-F]{24}$/);
    expect(again.stderr).toContain(`s3 repository: WAL segment ${newest.walStart} is missing`);
    // The local repository is untouched and still verifies.
    const local = await runJobProcess("pg-verify", { ...sb.env, REPOSITORIES: "local" });
    expect(local.code, local.stderr).toBe(0);
  }, 300_000);
});
