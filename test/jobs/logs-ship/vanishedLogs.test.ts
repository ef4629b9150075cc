/**
 * A log file that rotation renames out of the patterns between logs-ship's listing and its read
 * is not a failure: the run ships the rest and exits 0 (a failure would page for nothing).
 */
import { mkdirSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import { listKeys } from "../../host/support/aws";
import { runJobProcess } from "../../host/support/jobs";

describe("logs-ship and a file that leaves the glob mid-run", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, redis: false, hostId: "vanish-host" });
  });
  afterAll(async () => sb?.stop());

  test("the file renamed away after the listing is logged and skipped; the run succeeds", async () => {
    // Given two app logs, the older shipped first
    const dir = join(sb.dir, "logs", "app");
    mkdirSync(dir, { recursive: true });
    const older = join(dir, "older.log");
    const newer = join(dir, "newer.log");
    writeFileSync(older, "2024-01-15T10:00:00Z older line\n");
    writeFileSync(newer, "2024-01-15T10:05:00Z newer line\n");
    utimesSync(older, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const archived = join(sb.dir, "rotated-away.log");

    // And S3 frozen, so the run waits in the older file's upload once it has listed both
    process.kill(sb.moto.pid, "SIGSTOP");
    let thawed = false;
    const thaw = () => {
      if (!thawed) process.kill(sb.moto.pid, "SIGCONT");
      thawed = true;
    };
    let run;
    try {
      // When the newer file is renamed out of the patterns right after the listing
      run = await runJobProcess("logs-ship", sb.env, undefined, (chunk) => {
        if (!thawed && chunk.includes('"log files found"')) {
          renameSync(newer, archived);
          thaw();
        }
      });
    } finally {
      thaw();
    }

    // Then the run succeeded, shipped the older file, and said what happened to the newer one
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const gone = run.logs.find((l) => l.msg.startsWith("log file gone"));
    expect(gone?.fields?.path).toBe(newer);
    const keys = await listKeys(sb, "logs/vanish-host/");
    expect(keys.some((k) => k.includes("/older.log."))).toBe(true);
    expect(keys.some((k) => k.includes("/newer.log."))).toBe(false);
  });
});
