/**
 * The local backup root is never created by a job: a missing root (an unmounted volume) is a
 * warning naming the path, and every disk figure says which mounted file system it measured.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { overrideHostConfig, serializeHostConfig } from "../../infra/content/host/hostConfigFile";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { listKeys } from "./support/aws";
import { runJobProcess } from "./support/jobs";
import { mountSmallVolume, type SmallVolume } from "./support/smallVolume";

describe("the local backup volume", () => {
  let sb: Sandbox;
  let volume: SmallVolume;
  let missingRoot: string;
  const withRoot = (name: string, root: string): Record<string, string> => {
    const path = join(sb.dir, `host-config-${name}.json`);
    writeFileSync(
      path,
      serializeHostConfig(overrideHostConfig(sb.hostConfig, { local: { root } })),
    );
    return { ...sb.env, STELLAR_BACKUP_CONFIG: path };
  };

  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, redis: false, hostId: "volume-host" });
    volume = mountSmallVolume(join(sb.dir, "mnt", "backup-volume"), 1024);
    missingRoot = join(sb.dir, "mnt", "not-mounted", "backups");
  });
  afterAll(async () => {
    volume?.unmount();
    await sb?.stop();
  });

  test("health-check warns about a missing root with its path and does not create it", async () => {
    const run = await runJobProcess("health-check", {
      ...withRoot("missing", missingRoot),
      CHECKS: "disk",
    });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `WARNING: (warning) the local backup root ${missingRoot} does not exist: mount the backup volume at ${missingRoot}`,
    );
    expect(existsSync(missingRoot)).toBe(false);
    expect(existsSync(join(sb.dir, "mnt", "not-mounted"))).toBe(false);
  });

  test("health-check reports the mount point of the file system it measured", async () => {
    const run = await runJobProcess("health-check", {
      ...withRoot("mounted", volume.path),
      CHECKS: "disk",
    });

    expect(run.code, run.stderr).toBe(0);
    const disk = run.logs.find((l) => JSON.stringify(l).includes("backup disk"));
    expect(JSON.stringify(disk)).toContain(
      `(${volume.path} on the file system mounted at ${volume.path})`,
    );
  });

  test("config-backup with a missing root uploads, fails the local copy naming the root, and creates nothing", async () => {
    const run = await runJobProcess("config-backup", {
      ...withRoot("missing-backup", missingRoot),
      SETS: "app",
    });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `local copy failed: the local backup root ${missingRoot} does not exist`,
    );
    expect(await listKeys(sb, "configs/volume-host/app/")).toContain(
      "configs/volume-host/app/latest.json",
    );
    expect(existsSync(join(sb.dir, "mnt", "not-mounted"))).toBe(false);
  });
});
