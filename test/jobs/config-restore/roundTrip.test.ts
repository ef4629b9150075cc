/**
 * config-backup and config-restore against real files and moto's S3, run as processes.
 */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ConfigPointer } from "../../../scripts/lib/configs/configPointer";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import { getJsonObject, listKeys, putObject } from "../../host/support/aws";
import { messages, runJobProcess } from "../../host/support/jobs";

const SET_PREFIX = "configs/cfg-host/app/";
const POINTER = `${SET_PREFIX}latest.json`;
const SECRET = "sandbox-not-a-secret";

describe("config-backup and config-restore", () => {
  let sb: Sandbox;
  let markerDir: string;
  let restartMarker: string;
  let env: Record<string, string>;
  let envFile: string;
  let nginxFile: string;
  const archives = async () =>
    (await listKeys(sb, SET_PREFIX)).filter((k) => k.endsWith(".tar.gz"));

  beforeAll(async () => {
    markerDir = mkdtempSync(join(tmpdir(), "config-restart-"));
    restartMarker = join(markerDir, "restarts");
    sb = await startSandbox({
      postgres: false,
      redis: false,
      hostId: "cfg-host",
      overrides: {
        configSets: { app: { restart: [["bash", "-c", `echo restarted >> ${restartMarker}`]] } },
      },
    });
    env = { ...sb.env, SETS: "app" };
    [envFile, , nginxFile] = sb.hostConfig.configSets.app.paths;
    chmodSync(envFile, 0o600);
  });
  afterAll(async () => {
    await sb?.stop();
    rmSync(markerDir, { recursive: true, force: true });
  });

  test("uploads once, not again without change, and moves latest.json on change; never prints contents", async () => {
    // When config-backup runs twice with no change in between
    const first = await runJobProcess("config-backup", env);
    const pointer1 = await getJsonObject<ConfigPointer>(sb, POINTER);
    const second = await runJobProcess("config-backup", env);
    const pointer2 = await getJsonObject<ConfigPointer>(sb, POINTER);

    // Then there is one archive, the pointer still names it, and only its check time moved
    expect([first.code, second.code]).toEqual([0, 0]);
    const afterTwo = await archives();
    expect(afterTwo).toHaveLength(1);
    expect(pointer1.archiveKey).toBe(afterTwo[0]);
    expect(pointer2.archiveKey).toBe(afterTwo[0]);
    expect(pointer2.contentHash).toBe(pointer1.contentHash);
    expect(pointer2.checkedAt > pointer1.checkedAt).toBe(true);
    expect(messages(second)).toContain("unchanged since the last archive; not uploaded");
    expect(pointer1.files.map((f) => [f.path, f.present])).toEqual(
      sb.hostConfig.configSets.app.paths.map((p) => [p, true]),
    );

    // When a file changes
    writeFileSync(envFile, `${readFileSync(envFile, "utf8")}FEATURE_FLAG=on\n`);
    const third = await runJobProcess("config-backup", env);

    // Then a second archive exists and latest.json points at it
    expect(third.code).toBe(0);
    const afterChange = await archives();
    expect(afterChange).toHaveLength(2);
    const pointer3 = await getJsonObject<ConfigPointer>(sb, POINTER);
    expect(pointer3.archiveKey).toBe(afterChange.find((k) => k !== afterTwo[0]));
    expect(pointer3.contentHash).not.toBe(pointer1.contentHash);
    expect(
      readdirSync(join(sb.hostConfig.local.root, "configs")).filter((n) =>
        n.startsWith("app-configs-"),
      ),
    ).toHaveLength(2);

    // And no run ever printed a file's contents
    for (const run of [first, second, third]) expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  test("dry run reports the difference and changes nothing; confirmed restore writes exact bytes and keeps replaced files aside", async () => {
    // Given the host drifted from the latest backup: .env edited, the nginx site deleted
    const backedUpEnv = readFileSync(envFile);
    writeFileSync(envFile, "DATABASE_URL=broken\n");
    rmSync(nginxFile);
    const drifted = readFileSync(envFile);

    // When config-restore runs without confirmation
    const dry = await runJobProcess("config-restore", { ...sb.env, SET: "app" });

    // Then it names what would change, and nothing did
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      "2 file(s) would be written (1 changed, 1 missing), 1 unchanged; nothing was changed",
    );
    expect(readFileSync(envFile).equals(drifted)).toBe(true);
    expect(() => statSync(nginxFile)).toThrow();
    expect(dry.stdout + dry.stderr).not.toContain(SECRET);

    // When it runs with confirmation
    const restore = await runJobProcess("config-restore", {
      ...sb.env,
      SET: "app",
      CONFIRM: "yes-restore",
    });

    // Then the files hold the backed-up bytes and mode, the drifted .env is kept aside, and the restart ran once
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(readFileSync(envFile).equals(backedUpEnv)).toBe(true);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(nginxFile, "utf8")).toContain("server_name stellar-insights.local;");
    const asideRoot = join(sb.hostConfig.paths.stateDir, "config-restore");
    const [runDir] = readdirSync(asideRoot);
    expect(readFileSync(join(asideRoot, runDir, envFile.slice(1))).equals(drifted)).toBe(true);
    expect(statSync(join(asideRoot, runDir, envFile.slice(1))).mode & 0o777).toBe(0o600);
    expect(readFileSync(restartMarker, "utf8")).toBe("restarted\n");
  });

  test("BACKUP=<stamp> restores an older archive", async () => {
    const [oldest] = await archives();
    // Stamp and content hash: the two archives of this test may share a second.
    const stamp = oldest.slice(SET_PREFIX.length).replace(/\.tar\.gz$/, "");
    const run = await runJobProcess("config-restore", {
      ...sb.env,
      SET: "app",
      BACKUP: stamp,
      CONFIRM: "yes-restore",
    });
    expect(run.code).toBe(0);
    expect(readFileSync(envFile, "utf8")).not.toContain("FEATURE_FLAG=on");
    expect(readFileSync(envFile, "utf8")).toContain(SECRET);
  });

  test("an archive holding a file outside the set is refused before anything is written", async () => {
    const work = mkdtempSync(join(tmpdir(), "evil-archive-"));
    mkdirSync(join(work, "etc"));
    writeFileSync(join(work, "etc", "passwd"), "root::0:0::/root:/bin/sh\n");
    execFileSync("tar", [
      "--create",
      "--gzip",
      "--file",
      join(work, "a.tar.gz"),
      "--directory",
      work,
      "etc/passwd",
    ]);
    await putObject(
      sb,
      `${SET_PREFIX}20000101T000000Z-aaaaaaaaaaaa.tar.gz`,
      readFileSync(join(work, "a.tar.gz")),
    );
    rmSync(work, { recursive: true, force: true });
    const before = readFileSync(envFile);

    const run = await runJobProcess("config-restore", {
      ...sb.env,
      SET: "app",
      BACKUP: "20000101T000000Z",
      CONFIRM: "yes-restore",
      // Planted in plain text: only through the plaintext door (the stack encrypts archives).
      ALLOW_PLAINTEXT: "yes",
    });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("the archive holds files outside the config set: etc/passwd");
    expect(readFileSync(envFile).equals(before)).toBe(true);
  });

  test.each([
    [{}, "SET is required: expected one of app, db"],
    [{ SET: "web" }, 'SET="web" is not allowed: expected one of app, db'],
    [{ SET: "app", BACKUP: "yesterday" }, 'BACKUP="yesterday" is not allowed'],
  ])("bad parameters %j are refused with exit 64", async (params, message) => {
    const run = await runJobProcess("config-restore", { ...sb.env, ...params });
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(message);
  });

  test("a set whose files are all missing fails clearly, after backing up the others", async () => {
    const run = await runJobProcess("config-backup", sb.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("config set 'db': none of its 3 files exist on this host");
    // The app set (now back at its older content) was still archived
    const app = run.logs.find((l) => l.msg === "archived and uploaded" && l.fields?.set === "app");
    expect(app?.fields?.why).toBe("content changed");
  });
});
