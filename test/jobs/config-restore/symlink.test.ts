/** config-restore of a symlinked config file writes the link's target and keeps the link. */
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import { runJobProcess } from "../../host/support/jobs";

describe("config-restore through a symlink", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, redis: false, hostId: "link-host" });
  });
  afterAll(async () => sb?.stop());

  test("a confirmed restore writes the file the link points at, and the link stays a link", async () => {
    // Given the app's .env is a symlink into a shared directory (as deploy tools lay it out)
    const envFile = sb.hostConfig.configSets.app.paths[0];
    const sharedEnv = join(sb.dir, "shared", "backend.env");
    mkdirSync(join(sb.dir, "shared"), { recursive: true });
    renameSync(envFile, sharedEnv);
    symlinkSync(sharedEnv, envFile);
    const backedUp = readFileSync(sharedEnv);
    const backup = await runJobProcess("config-backup", { ...sb.env, SETS: "app" });
    expect(backup.code, backup.stderr).toBe(0);

    // When the shared file drifts and the set is restored
    writeFileSync(sharedEnv, "DATABASE_URL=broken\n");
    const restore = await runJobProcess("config-restore", {
      ...sb.env,
      SET: "app",
      CONFIRM: "yes-restore",
    });

    // Then the target has the backed-up bytes and the link is still the same link
    expect(restore.code, restore.stderr).toBe(0);
    expect(lstatSync(envFile).isSymbolicLink()).toBe(true);
    expect(readlinkSync(envFile)).toBe(sharedEnv);
    expect(readFileSync(sharedEnv).equals(backedUp)).toBe(true);
    const wrote = restore.logs.find((l) => l.msg === `wrote ${envFile}`);
    expect(wrote?.fields?.throughSymlinkTo).toBe(sharedEnv);
  });
});
