/**
 * health-check against the whole sandbox (moto, PostgreSQL 15 from the rendered fragment, Redis),
 * with the figures read back from moto's CloudWatch, failures included.
 */
import { connectStellarInsights } from "../host/support/postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import {
  getObjectBytes,
  listKeys,
  metricDelta,
  metricSamples,
  metricSum,
  putObject,
  readMetrics,
  type MetricValue,
  onHost,
} from "../host/support/aws";
import { engineFor } from "../../scripts/lib/engines";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { hostConfigVariant } from "../host/support/hostVariant";
import { runJobProcess } from "../host/support/jobs";

/**
 * Makes archiving fail the way an engine that cannot reach S3 does (a non-zero exit that PostgreSQL
 * counts in pg_stat_archiver; a missing binary is fatal to the archiver and is not counted), forces
 * a segment switch, and waits for the failure to be counted.
 */
async function causeCountedArchiveFailure(sb: Sandbox): Promise<number> {
  const client = await connectStellarInsights(sb);
  try {
    await client.query("ALTER SYSTEM SET archive_command = '/bin/false'");
    await client.query("SELECT pg_reload_conf()");
    await client.query("INSERT INTO anchors (name) VALUES ('forces-a-new-wal-record')");
    await client.query("SELECT pg_switch_wal()");
    for (let i = 0; i < 150; i++) {
      const { rows } = await client.query("SELECT failed_count FROM pg_stat_archiver");
      if (Number(rows[0].failed_count) > 0) return Number(rows[0].failed_count);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("PostgreSQL never counted a failed WAL archive attempt");
  } finally {
    await client.end();
  }
}

describe("health-check", () => {
  let sb: Sandbox;
  let metrics: MetricValue[];
  let full: Awaited<ReturnType<typeof runJobProcess>>;

  beforeAll(async () => {
    sb = await startSandbox({ hostId: "db-host" });
    // Given every S3-backed row has a fresh backup of this host
    for (const job of ["redis-backup", "config-backup", "logs-ship"]) {
      const run = await runJobProcess(job, sb.env);
      expect(run.stderr, job).toBe("");
      expect(run.code, job).toBe(0);
    }
    // And PostgreSQL has a fresh backup through the stack's engine
    const pgBackup = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes" });
    expect(pgBackup.code, pgBackup.stderr).toBe(0);
    // And PostgreSQL has then failed to archive a WAL segment
    await causeCountedArchiveFailure(sb);
    full = await runJobProcess("health-check", sb.env);
    metrics = await readMetrics(sb);
  });
  afterAll(async () => sb?.stop());

  test("a full run with a fresh PostgreSQL backup and an archive_command that keeps failing: CRITICAL for the stuck archiver, a warning for the failed attempts", () => {
    expect(full.code).toBe(2);
    const summary = full.stderr.trim();
    expect(summary).toMatch(
      /^CRITICAL: WAL archiving is stuck on 0000000100000000000000\w\w(\.\w{8}\.backup)?: its last attempt failed at .*; \(warning\) [1-9]\d* WAL archive attempt\(s\) failed since the last check \(last failure: 0000000100000000000000\w\w(\.\w{8}\.backup)? at /,
    );
    expect(
      full.logs.filter((l) => l.fields?.severity === "ok").map((l) => l.fields?.check),
    ).toEqual([
      "s3",
      "disk",
      "redis",
      "backup-ages",
      "backup-ages",
      "backup-ages",
      "postgres-backup",
      "job-runs",
    ]);
  });

  test("its figures are readable back from CloudWatch, archive failures included", () => {
    const byRow = (row: string) => onHost(sb, { BackupType: row });
    expect(metricSum(metrics, "S3Reachable", onHost(sb, { Job: "health-check" }))).toBe(1);
    expect(metricSum(metrics, "WalArchiveFailedCount", byRow("wal"))).toBeGreaterThanOrEqual(1);
    expect(metricSum(metrics, "WalArchiveLagSeconds", byRow("wal"))).toBeGreaterThanOrEqual(0);
    expect(
      metricSum(metrics, "BackupDiskUsagePercent", onHost(sb, { Job: "health-check" })),
    ).toBeGreaterThan(0);
    expect(metricSum(metrics, "RedisLastSaveAgeSeconds", byRow("redis"))).toBeLessThan(120);
    for (const row of ["redis", "configs", "logs"])
      expect(metricSum(metrics, "BackupAgeSeconds", byRow(row)), row).toBeLessThan(120);
    expect(metricSum(metrics, "BackupAgeSeconds", byRow("postgres"))).toBeLessThan(120);
    for (const job of ["redis-backup", "config-backup", "logs-ship"]) {
      expect(
        metricSum(metrics, "JobLastRunAgeSeconds", onHost(sb, { Job: job })),
        job,
      ).toBeLessThan(120);
    }
    // Never ran here: aged from the host config's install, so a fresh host is not silent.
    const neverRan = metricSum(metrics, "JobLastRunAgeSeconds", onHost(sb, { Job: "pg-verify" }));
    expect(neverRan).toBeGreaterThanOrEqual(0);
    expect(neverRan).toBeLessThan(120);
    // The check ran (its findings are in the exit code): one heartbeat, a success, no failure
    expect(metricSum(metrics, "JobHeartbeat", onHost(sb, { Job: "health-check" }))).toBe(1);
    expect(metricSum(metrics, "JobSucceeded", onHost(sb, { Job: "health-check" }))).toBe(1);
    expect(metricSum(metrics, "JobFailed", onHost(sb, { Job: "health-check" }))).toBe(0);
    expect(metricSum(metrics, "BackupBytes", byRow("redis"))).toBeGreaterThan(0);
  });

  test("the checks that can pass here pass: exit 0 and the runbook's OK line", async () => {
    const run = await runJobProcess("health-check", {
      ...sb.env,
      CHECKS: "s3,disk,redis,backup-ages,postgres-backup,job-runs",
    });
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n").at(-1)).toBe("OK: All backup checks passed");
  });

  test("an unreachable bucket is CRITICAL and publishes S3Reachable 0", async () => {
    const env = hostConfigVariant(sb, "nobucket", { bucket: "no-such-bucket-here" });
    const before = await readMetrics(sb);
    const run = await runJobProcess("health-check", { ...env, CHECKS: "s3,backup-ages" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "CRITICAL: Cannot access S3 backup bucket s3://no-such-bucket-here; backup ages unknown: S3 unreachable",
    );
    const after = await readMetrics(sb);
    // One more S3Reachable data point, and it is 0 (the sum did not move)
    const s3 = onHost(sb, { Job: "health-check" });
    expect(metricSamples(after, "S3Reachable", s3) - metricSamples(before, "S3Reachable", s3)).toBe(
      1,
    );
    expect(metricDelta(before, after, "S3Reachable", s3)).toBe(0);
    expect(run.logs.find((l) => l.msg === "S3 probe failed")?.fields?.error).toMatch(
      /NoSuchBucket/,
    );
  });

  test("a backup disk over its limit is a WARNING (exit 1)", async () => {
    const env = hostConfigVariant(sb, "fulldisk", { local: { maxDiskUsagePercent: 1 } });
    const run = await runJobProcess("health-check", { ...env, CHECKS: "disk" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^WARNING: \(warning\) Backup disk usage [\d.]+% above 1% \(/);
  });

  test("a bad CHECKS value is refused (exit 64) and publishes nothing: no JobFailed, no heartbeat to hide silence", async () => {
    const before = await readMetrics(sb);
    const run = await runJobProcess("health-check", { ...sb.env, CHECKS: "s3,everything" });
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(
      'CHECKS="s3,everything" is not allowed: expected a comma-separated list of s3, disk, wal-archive, redis, backup-ages, postgres-backup, job-runs',
    );
    const after = await readMetrics(sb);
    const job = onHost(sb, { Job: "health-check" });
    for (const name of ["JobFailed", "JobSucceeded", "JobHeartbeat", "JobDurationSeconds"])
      expect(metricSamples(after, name, job) - metricSamples(before, name, job), name).toBe(0);
  });
});

/**
 * Puts another segment's archived object into the S3 repository under `segment`'s name (the
 * engine's own layout, descriptor `s3Layout`): the repository then holds a same-named segment with
 * other content, which the engine refuses to overwrite.
 */
async function plantSameNamedSegment(sb: Sandbox, segment: string): Promise<void> {
  const prefix = `postgres/${hostIdOf(sb.hostConfig)}/`;
  const pattern = new RegExp(
    engineFor(sb.hostConfig, hostIdOf(sb.hostConfig)).descriptor.s3Layout.walSegmentKey,
  );
  const source = (await listKeys(sb, prefix))
    .map((key) => ({ key, name: pattern.exec(key.slice(prefix.length))?.[1] }))
    .find((k) => k.name !== undefined && k.name !== segment);
  expect(source, "an archived segment to copy").toBeDefined();
  const name = source!.name!;
  const key = source!.key
    .replaceAll(name, segment)
    .replace(`/${name.slice(0, 16)}/`, `/${segment.slice(0, 16)}/`);
  await putObject(sb, key, await getObjectBytes(sb, source!.key));
}

describe("health-check: an archiver stuck on one segment", () => {
  let sb: Sandbox;

  beforeAll(async () => {
    sb = await startSandbox({ hostId: "stuck-host", redis: false });
    const backup = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    expect(backup.code, backup.stderr).toBe(0);
  }, 300_000);
  afterAll(async () => sb?.stop());

  test("is CRITICAL at the first check and publishes WalArchiveStuck 1, naming the segment, the engine's own error and where recovery ends", async () => {
    const client = await connectStellarInsights(sb);
    let stuck: string;
    let archived: string;
    try {
      // A row first: right after a segment switch the position is the next segment's first byte,
      // which pg_walfile_name names as the segment before it.
      await client.query("INSERT INTO anchors (name) VALUES ('stuck-segment')");
      const { rows } = await client.query<{ wal: string }>(
        "SELECT pg_walfile_name(pg_current_wal_lsn()) AS wal",
      );
      stuck = rows[0].wal;
      await plantSameNamedSegment(sb, stuck);
      await client.query("SELECT pg_switch_wal()");
      for (let i = 0; ; i++) {
        const a = await client.query<{ failed: string | null; archived: string | null }>(
          "SELECT last_failed_wal AS failed, last_archived_wal AS archived FROM pg_stat_archiver",
        );
        if (a.rows[0].failed === stuck) {
          archived = a.rows[0].archived ?? "";
          break;
        }
        if (i > 600) throw new Error(`PostgreSQL never failed to archive ${stuck}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await client.end();
    }
    const engine = engineFor(sb.hostConfig, hostIdOf(sb.hostConfig));
    const reason = await engine.archivePushError(stuck);
    expect(reason, "the engine left its error for the segment").toContain(stuck);

    const before = await readMetrics(sb);
    const run = await runJobProcess("health-check", { ...sb.env, CHECKS: "wal-archive" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`WAL archiving is stuck on ${stuck}: its last attempt failed at `);
    expect(run.stderr).toContain(`${engine.descriptor.title} says: ${reason}`);
    expect(run.stderr).toContain(`Point-in-time recovery ends at ${archived}, archived `);
    const after = await readMetrics(sb);
    const wal = onHost(sb, { BackupType: "wal" });
    expect(metricDelta(before, after, "WalArchiveStuck", wal)).toBe(1);
    expect(metricSamples(after, "PgWalDiskUsagePercent", wal)).toBeGreaterThan(0);
  }, 300_000);
});
