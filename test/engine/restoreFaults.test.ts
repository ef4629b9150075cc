/**
 * Engine contract, faults around restores: a WAL segment missing in the middle of the range
 * refuses the restore before anything is touched, naming the segment (so PostgreSQL is never
 * started to promote short of the target); the engine's restore_command tells "not in the
 * archive" (exit 1, PostgreSQL ends recovery) from "the archive cannot be read" (S3 unreachable:
 * an exit status PostgreSQL treats as fatal, so an outage never looks like the end of WAL); and
 * recovery reads the local repository when S3 fails mid-restore (unreachable, a 503 or an empty
 * object for one segment), and a recovery that cannot go on fails naming the file it waits for.
 */
import { mkdtempSync, chmodSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { RESTORE_COMMAND_UNREADABLE_EXIT } from "../../infra/catalog/engines";
import { engineFor } from "../../scripts/lib/engines";
import { asOsUser } from "../../scripts/lib/engines/engineProcess";
import { runCommand } from "../../scripts/lib/job/exec";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { listKeys, sandboxS3Client } from "../host/support/aws";
import { runJobProcess, type JobRun } from "../host/support/jobs";
import { localRepositoryPath } from "../../scripts/lib/engines/engineProcess";
import {
  anchorNames,
  archiveCurrentSegment,
  dataDirectoryFingerprint,
  insertAnchors,
} from "./restoreSupport";
import { connectStellarInsights } from "../host/support/postgres";
import { startS3Fault, type S3FaultKind } from "./s3Fault";
import { describeEachEngine, repositoryKey } from "./support";

describeEachEngine("faults around restores", (engineKey) => {
  let sb: Sandbox;
  const engine = () => engineFor(sb.hostConfig, hostIdOf(sb.hostConfig));
  const segments: string[] = [];

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey });
    const run = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    expect(run.code, run.stderr).toBe(0);
    for (let i = 0; i < 3; i++) {
      await insertAnchors(sb, [`segment-${i}`]);
      segments.push(await archiveCurrentSegment(sb));
    }
  }, 300_000);
  afterAll(async () => sb?.stop());

  /** Runs the engine's restore_command for `segment` as PostgreSQL would: through /bin/sh, as its OS user. */
  async function restoreCommandExit(segment: string): Promise<{ code: number; stderr: string }> {
    const dir = mkdtempSync(join(tmpdir(), "restore-command-"));
    chmodSync(dir, 0o777);
    try {
      const command = engine()
        .descriptor.restoreCommand(sb.hostConfig.postgres.engine, {
          source: { repository: "s3", s3RepositoryPath: `postgres/${hostIdOf(sb.hostConfig)}` },
        })
        .replace("%f", segment)
        .replace("%p", join(dir, "RECOVERYXLOG"));
      return await runCommand(
        asOsUser(sb.hostConfig.postgres.engine.osUser, ["/bin/sh", "-c", command]),
        { timeoutMs: 300_000 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test("restore_command: 0 for an archived segment, 1 for one the archive does not hold, fatal when S3 is unreachable", async () => {
    expect((await restoreCommandExit(segments[0])).code).toBe(0);
    expect((await restoreCommandExit("0000000100000000000000F0")).code).toBe(1);
    await sb.tlsFront.stop();
    try {
      const down = await restoreCommandExit(segments[1]);
      expect(down.code, down.stderr).toBe(RESTORE_COMMAND_UNREADABLE_EXIT);
      expect(down.code).toBeGreaterThan(128);
    } finally {
      await sb.tlsFront.start();
    }
  }, 600_000);

  test("a WAL segment missing in the middle of the range: refused before anything is touched, naming the segment", async () => {
    const missing = segments[1];
    const prefix = `postgres/${hostIdOf(sb.hostConfig)}/`;
    const key = (await listKeys(sb, prefix)).find(
      (k) => repositoryKey(engineKey, prefix, k).walSegment === missing,
    );
    expect(key).toBeDefined();
    const s3 = sandboxS3Client(sb);
    try {
      await s3.send(new DeleteObjectCommand({ Bucket: sb.bucket.name, Key: key }));
    } finally {
      s3.destroy();
    }
    const pgData = sb.hostConfig.postgres.pgData;
    const before = dataDirectoryFingerprint(pgData);
    const rows = await anchorNames(sb);
    const backupCount = (await engine().list("s3")).length;
    for (const confirm of [{}, { CONFIRM: "yes-restore" }] as Record<string, string>[]) {
      const run = await runJobProcess("pg-restore", { ...sb.env, ...confirm });
      expect(run.code).toBe(64);
      expect(run.stderr).toContain(
        `WAL segment ${missing} is missing from the repository: recovery cannot replay past it`,
      );
      expect(run.stderr).toContain("nothing was changed");
    }
    expect(dataDirectoryFingerprint(pgData)).toBe(before);
    expect(await anchorNames(sb)).toEqual(rows);
    expect((await engine().list("s3")).length).toBe(backupCount);
  }, 300_000);

  /**
   * pg-restore to latest, confirmed; `onFilesRestored` runs once the engine has restored the
   * backup's files (the job logs step 4), before PostgreSQL starts to replay WAL.
   */
  async function restoreLatest(
    env: Record<string, string> = {},
    onFilesRestored?: () => Promise<void> | void,
  ): Promise<JobRun> {
    let out = "";
    let acted: Promise<void> | undefined;
    const run = await runJobProcess(
      "pg-restore",
      { ...sb.env, CONFIRM: "yes-restore", TIMEOUT_MINUTES: "20", ...env },
      undefined,
      (chunk) => {
        out += chunk;
        if (onFilesRestored && !acted && out.includes('"msg":"step 4:'))
          acted = Promise.resolve(onFilesRestored());
      },
    );
    await acted;
    return run;
  }

  /** A fresh backup, then rows in `count` more archived segments; resolves with those segments. */
  async function freshBackupAndSegments(label: string, count: number): Promise<string[]> {
    const backup = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    expect(backup.code, backup.stderr).toBe(0);
    const archived: string[] = [];
    for (let i = 0; i < count; i++) {
      await insertAnchors(sb, [`${label}-${i}`]);
      archived.push(await archiveCurrentSegment(sb));
    }
    return archived;
  }

  /** Resolves once the cluster accepts writes (recovery over). */
  async function untilPromoted(): Promise<void> {
    for (;;) {
      const client = await connectStellarInsights(sb).catch(() => undefined);
      const recovering = await client
        ?.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r")
        .then((q) => q.rows[0].r)
        .catch(() => true);
      await client?.end();
      if (recovering === false) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Removes `segment` from the local repository (its files under the engine's WAL layout). */
  function removeFromLocalRepository(segment: string): number {
    const root = localRepositoryPath(sb.hostConfig);
    const files = readdirSync(root, { recursive: true })
      .map(String)
      .filter((f) => repositoryKey(engineKey, "", f).walSegment === segment);
    for (const f of files) rmSync(join(root, f));
    return files.length;
  }

  test("latest with S3 unreachable once the files are restored: recovery reads the local repository, every row comes back", async () => {
    await freshBackupAndSegments("outage", 2);
    const rows = await anchorNames(sb);
    try {
      const run = await restoreLatest({}, () => sb.tlsFront.stop());
      expect(run.code, run.stderr).toBe(0);
      expect(await anchorNames(sb)).toEqual(rows);
    } finally {
      await sb.tlsFront.start();
    }
  }, 1_500_000);

  test.each(["503", "empty"] as S3FaultKind[])(
    "latest while S3 answers one segment's read with %s: recovery reads it from the local repository, every row comes back",
    async (kind) => {
      const [faulty] = await freshBackupAndSegments(`fault-${kind}`, 2);
      const rows = await anchorNames(sb);
      const fault = await startS3Fault(sb, faulty, kind);
      try {
        const run = await restoreLatest();
        expect(run.code, run.stderr).toBe(0);
        expect(fault.hits(), "the restore read the faulty object from S3").toBeGreaterThan(0);
        expect(await anchorNames(sb)).toEqual(rows);
      } finally {
        await fault.stop();
      }
    },
    1_500_000,
  );

  test("a recovery that makes no progress fails naming the file it waits for", async () => {
    await freshBackupAndSegments("stall", 1);
    try {
      // S3 answers nothing (connections hang), so the restore_command waits out its bound.
      const run = await restoreLatest({ STALL_MINUTES: "1" }, () => sb.tlsFront.freeze());
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(
        /recovery made no progress for 1 min, waiting for WAL file (?:[0-9A-F]{24}|[0-9A-F]{8}\.history) from the repository/,
      );
    } finally {
      sb.tlsFront.thaw();
    }
    // Left running, recovery goes on once S3 answers, and promotes.
    await untilPromoted();
  }, 1_500_000);
  test("a segment S3 answers with 503 and the local repository lacks: the restore fails naming it", async () => {
    const [faulty] = await freshBackupAndSegments("unreadable", 2);
    expect(removeFromLocalRepository(faulty)).toBeGreaterThan(0);
    const fault = await startS3Fault(sb, faulty, "503");
    try {
      const run = await restoreLatest();
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`waiting for WAL file ${faulty} from the repository`);
    } finally {
      await fault.stop();
    }
  }, 1_500_000);
});
