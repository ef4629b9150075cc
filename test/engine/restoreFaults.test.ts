/**
 * Engine contract, faults around restores: a WAL segment missing in the middle of the range
 * refuses the restore before anything is touched, naming the segment (so PostgreSQL is never
 * started to promote short of the target); and the engine's restore_command tells "not in the
 * archive" (exit 1, PostgreSQL ends recovery) from "the archive cannot be read" (S3 unreachable:
 * an exit status PostgreSQL treats as fatal, so an outage never looks like the end of WAL).
 */
import { mkdtempSync, chmodSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { RESTORE_COMMAND_UNREADABLE_EXIT } from "../../infra/catalog/engines";
import { engineFor } from "../../scripts/lib/engines";
import { asOsUser } from "../../scripts/lib/engines/engineProcess";
import { runCommand } from "../../scripts/lib/exec";
import { hostIdOf } from "../../scripts/lib/hostConfig";
import { sandboxClientSettings } from "../../scripts/sandbox/moto";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { listKeys } from "../host/support/aws";
import { runJobProcess } from "../host/support/jobs";
import {
  anchorNames,
  archiveCurrentSegment,
  dataDirectoryFingerprint,
  insertAnchors,
} from "./restoreSupport";
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
    const s3 = new S3Client({
      ...sandboxClientSettings(sb.moto.endpoint, sb.hostConfig.region),
      forcePathStyle: true,
    });
    try {
      await s3.send(new DeleteObjectCommand({ Bucket: sb.bucket.name, Key: key }));
    } finally {
      s3.destroy();
    }
    const pgData = sb.hostConfig.postgres.pgData;
    const before = dataDirectoryFingerprint(pgData);
    const rows = await anchorNames(sb);
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
    expect((await engine().list("s3")).length).toBe(1);
  }, 300_000);
});
