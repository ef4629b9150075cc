/**
 * `latest` always names an archive that holds every file of the set: a file vanishing from the
 * host fails the run instead of moving the pointer, a restore from an archive that lacks a file
 * says which newer-or-older archive still has it, and a missing or malformed pointer says what
 * exists instead of blaming the network or suggesting nothing was ever backed up.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { HostConfig } from "../../infra/catalog/hostConfig";
import type { ConfigPointer } from "../../scripts/lib/configs/configPointer";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { getJsonObject, listKeys, putObject, sandboxS3Client } from "../host/support/aws";
import { runJobProcess } from "../host/support/jobs";

const SET_PREFIX = "configs/whole-host/app/";
const POINTER = `${SET_PREFIX}latest.json`;
const asBackupParameter = (key: string) =>
  `BACKUP=${key.slice(SET_PREFIX.length).replace(/\.tar\.gz$/, "")}`;

describe("config sets are archived whole", () => {
  let sb: Sandbox;
  let nginxFile: string;
  let envFile: string;
  let firstArchive: string;
  const archives = async () =>
    (await listKeys(sb, SET_PREFIX)).filter((k) => k.endsWith(".tar.gz")).sort();

  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, redis: false, hostId: "whole-host" });
    [envFile, , nginxFile] = sb.hostConfig.configSets.app.paths;
    const first = await runJobProcess("config-backup", { ...sb.env, SETS: "app" });
    expect(first.code, first.stderr).toBe(0);
    [firstArchive] = await archives();
  });
  afterAll(async () => sb?.stop());

  test("a file missing from the set fails the run, uploads nothing and leaves latest.json on the complete archive", async () => {
    // Given the nginx site disappears from the host
    const nginx = readFileSync(nginxFile);
    rmSync(nginxFile);
    try {
      // When config-backup runs
      const run = await runJobProcess("config-backup", { ...sb.env, SETS: "app" });

      // Then it fails naming the file, and the pointer still names the complete archive
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `config set 'app': 1 of its 3 files are missing on this host (${nginxFile}); not archived, so latest.json still names the last complete archive`,
      );
      expect(run.stderr).toContain("Next: put the file back (config-restore SET=app restores it)");
      expect(await archives()).toEqual([firstArchive]);
      expect((await getJsonObject<ConfigPointer>(sb, POINTER)).archiveKey).toBe(firstArchive);
    } finally {
      writeFileSync(nginxFile, nginx);
    }
  });

  test("a restore from an archive that lacks a set file names the newest archive that has it", async () => {
    // Given a later archive made while the set did not list the nginx site (an older stack)
    const narrow: HostConfig = {
      ...sb.hostConfig,
      configSets: {
        ...sb.hostConfig.configSets,
        app: {
          ...sb.hostConfig.configSets.app,
          paths: sb.hostConfig.configSets.app.paths.slice(0, 2),
        },
      },
    };
    const narrowPath = join(sb.dir, "narrow-host-config.json");
    writeFileSync(narrowPath, JSON.stringify(narrow));
    const narrowRun = await runJobProcess("config-backup", {
      ...sb.env,
      STELLAR_BACKUP_CONFIG: narrowPath,
      SETS: "app",
    });
    expect(narrowRun.code, narrowRun.stderr).toBe(0);
    const [, latest] = await archives();
    expect((await getJsonObject<ConfigPointer>(sb, POINTER)).archiveKey).toBe(latest);

    // When config-restore of latest runs with today's set
    writeFileSync(envFile, "DATABASE_URL=drifted\n");
    const dry = await runJobProcess("config-restore", { ...sb.env, SET: "app" });

    // Then it lists what the archive lacks and where that file still is
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      `Not in this archive: ${nginxFile} (newest archive with it: ${asBackupParameter(firstArchive)}).`,
    );
  });

  test("a missing latest.json with archives present names the newest archive instead of asking whether config-backup ran", async () => {
    const s3 = sandboxS3Client(sb);
    await s3.send(new DeleteObjectCommand({ Bucket: sb.bucket.name, Key: POINTER }));
    s3.destroy();
    const newest = (await archives()).at(-1) as string;

    const run = await runJobProcess("config-restore", { ...sb.env, SET: "app" });

    expect(run.code).toBe(64);
    expect(run.stderr).toContain(
      `there is no s3://${sb.bucket.name}/${POINTER}; config set 'app' of host whole-host has 2 archive(s)`,
    );
    expect(run.stderr).toContain(
      `Next: name one instead: the newest is ${asBackupParameter(newest)}`,
    );
    expect(run.stderr).not.toContain("has config-backup run");
  });

  test("a malformed latest.json is called malformed, not a network problem", async () => {
    await putObject(sb, POINTER, Buffer.from("{ not json"));

    const run = await runJobProcess("config-restore", { ...sb.env, SET: "app" });

    expect(run.code).toBe(64);
    expect(run.stderr).toContain(`s3://${sb.bucket.name}/${POINTER} is malformed:`);
    expect(run.stderr).toContain("the newest is BACKUP=");
    expect(run.stderr).not.toContain("network");
  });
});
