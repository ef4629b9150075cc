/**
 * Engine contract, the weekly restore test killed mid-way (SSM's timeout, a cancelled command): no
 * cleanup runs, so its throwaway PostgreSQL goes on running and its scratch directory, a full
 * restored copy of the cluster, stays on the backup volume. The next run stops and removes it
 * before it restores, never signals a process that a stale pid file names (after a reboot it may be
 * the host's own PostgreSQL), and leaves names that are not its scratch directories alone.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { jobEntry, REPO_ROOT, runJobProcess } from "../host/support/jobs";
import { describeEachEngine } from "./support";

/** Whether process `pid` exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid a data directory's postmaster.pid names. */
function postmasterPid(pgData: string): number {
  return Number(readFileSync(join(pgData, "postmaster.pid"), "utf8").split("\n")[0]);
}

describeEachEngine("the weekly restore test after a killed run", (engineKey) => {
  let sb: Sandbox;
  const scratch = () => join(sb.hostConfig.local.root, "restore-test");
  const leftovers: number[] = [];

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey });
    const run = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    expect(run.code, run.stderr).toBe(0);
  }, 300_000);
  afterAll(async () => {
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, "SIGQUIT");
    await sb?.stop();
  });

  /** Runs pg-restore-test and SIGKILLs it once its throwaway is running; the throwaway's root. */
  async function killedWithThrowawayRunning(): Promise<string> {
    const child = spawn(process.execPath, ["--import", "tsx", jobEntry("pg-restore-test")], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...sb.env },
      stdio: "ignore",
    });
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const running = (existsSync(scratch()) ? readdirSync(scratch()) : [])
        .map((name) => join(scratch(), name))
        .find((root) => existsSync(join(root, "pgdata", "postmaster.pid")));
      if (running) {
        child.kill("SIGKILL");
        await exited;
        return running;
      }
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error("pg-restore-test ended before its throwaway was seen running");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  test("the next run stops the throwaway a killed run left running, removes its copy, and passes", async () => {
    // Given a run killed while its throwaway ran: the copy and the process stay
    const left = await killedWithThrowawayRunning();
    const throwawayPid = postmasterPid(join(left, "pgdata"));
    leftovers.push(throwawayPid);
    expect(alive(throwawayPid)).toBe(true);
    // and, from a reboot, a scratch directory whose stale pid file names the host's own PostgreSQL
    const hostPid = postmasterPid(sb.hostConfig.postgres.pgData);
    const stale = join(scratch(), "20200101T000000Z");
    mkdirSync(join(stale, "pgdata"), { recursive: true });
    writeFileSync(join(stale, "pgdata", "postmaster.pid"), `${hostPid}\n${stale}/pgdata\n`);
    // and something under the scratch directory that is not a run's
    mkdirSync(join(scratch(), "keep-me"));

    const run = await runJobProcess("pg-restore-test", sb.env);

    expect(run.code, run.stderr).toBe(0);
    const removed = run.logs
      .filter((l) => l.msg.startsWith("removed a restore test's throwaway"))
      .map((l) => l.fields);
    expect(removed).toEqual(
      expect.arrayContaining([
        { root: left, wasRunning: true },
        { root: stale, wasRunning: false },
      ]),
    );
    expect(alive(throwawayPid)).toBe(false);
    expect(alive(hostPid)).toBe(true);
    expect(readdirSync(scratch())).toEqual(["keep-me"]);
  }, 300_000);
});
