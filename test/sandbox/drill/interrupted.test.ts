/**
 * A drill interrupted while its sandbox is up, as a person does it: Ctrl-C (SIGINT to the whole
 * process group, so moto and the TLS front get it too) during the load, or stdout closed under it.
 * Nothing of the sandbox may outlive it: no PostgreSQL on its pgdata, no Redis or moto on their
 * ports, no pgBackRest archive-push:async, no temp dir.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { REPO_ROOT } from "../../../infra/repoRoot";
import { processesNaming } from "../../../scripts/sandbox/strayProcesses";
import { waitFor } from "../../../scripts/lib/job/time";

const out = mkdtempSync(join(tmpdir(), "drill-interrupted-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Drill {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

/** The drill's command line at the smallest scale, its report under `name`. */
function drillArgv(name: string): string[] {
  return [
    process.execPath,
    "--import",
    "tsx",
    "scripts/sandbox/drill/main.ts",
    "--scale",
    "1",
    "--redis-keys",
    "50",
    "--out",
    join(out, `${name}.json`),
  ];
}

/**
 * The drill in its own process group (as a shell runs a job); `viaParent`: as the child of a
 * shell that waits for it (as `npm run` does), this process's child being that shell.
 */
function startDrill(name: string, viaParent = false): Drill {
  const argv = drillArgv(name);
  const [command, ...args] = viaParent ? ["sh", "-c", `"$@" & wait`, "sh", ...argv] : argv;
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const drill: Drill = {
    child,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
  };
  child.stdout?.on("data", (chunk: Buffer) => (drill.stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (drill.stderr += chunk.toString()));
  return drill;
}

/** Waits for `pattern` on the drill's stdout; fails with its output if it ends first. */
function stdoutMatch(drill: Drill, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return waitFor(
    async () => {
      if (drill.child.exitCode !== null)
        throw new Error(`drill ended:\n${drill.stdout}${drill.stderr}`);
      return pattern.exec(drill.stdout) ?? undefined;
    },
    {
      timeoutMs,
      intervalMs: 100,
      onTimeout: () => new Error(`no ${pattern} in:\n${drill.stdout}`),
    },
  );
}

interface SandboxUp {
  readonly dir: string;
  readonly ports: { moto: number; redis: number; postgres: number };
}

const SANDBOX_UP =
  /ok in [\d.]+ s: moto http:\/\/127\.0\.0\.1:(\d+), Redis :(\d+), PostgreSQL :(\d+), in (\S+)$/m;

async function sandboxUp(drill: Drill): Promise<SandboxUp> {
  const m = await stdoutMatch(drill, SANDBOX_UP, 240_000);
  return { dir: m[4], ports: { moto: Number(m[1]), redis: Number(m[2]), postgres: Number(m[3]) } };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

/** Everything of the sandbox is gone: its processes, its ports, its dir. */
async function expectNothingLeft(up: SandboxUp): Promise<void> {
  expect(processesNaming(up.dir).map(commandLine)).toEqual([]);
  for (const [service, port] of Object.entries(up.ports))
    expect(await listening(port), `${service} on :${port}`).toBe(false);
  expect(existsSync(up.dir)).toBe(false);
}

describe.sequential("an interrupted drill tears its sandbox down", () => {
  test("Ctrl-C during the load: exit 130, one line naming the step, nothing left", async () => {
    const drill = startDrill("sigint");
    const up = await sandboxUp(drill);
    expect(existsSync(join(up.dir, "pgdata"))).toBe(true);
    await stdoutMatch(drill, /^\[9\/18\] steady writes/m, 240_000);
    // Interrupt while pgBackRest's async archive-push runs (WAL switches every archive_timeout).
    const asyncPush = await waitFor(
      async () =>
        processesNaming(up.dir).find((pid) => commandLine(pid).includes("archive-push:async")),
      { timeoutMs: 60_000, intervalMs: 50, onTimeout: () => new Error("no archive-push:async") },
    );
    process.kill(-(drill.child.pid as number), "SIGINT");
    expect(await drill.exited).toBe(130);
    expect(drill.stderr).toMatch(
      new RegExp(
        `^drill: interrupted by SIGINT at step 9/18 \\(steady writes [^)]*\\); cleaned up: sandbox stopped, ${up.dir} removed$`,
        "m",
      ),
    );
    expect(commandLine(asyncPush)).toBe("");
    await expectNothingLeft(up);
    // No table, no report: the drill did not finish.
    expect(drill.stdout).not.toMatch(/^step\s+seconds\s+result$/m);
    expect(existsSync(join(out, "sigint.json"))).toBe(false);
  }, 600_000);

  test("its parent killed alone (npm run exits on a SIGTERM without passing it on): it tears down too", async () => {
    const drill = startDrill("orphan", true);
    const up = await sandboxUp(drill);
    await stdoutMatch(drill, /^\[3\/18\] /m, 60_000);
    process.kill(drill.child.pid as number, "SIGKILL");
    await waitFor(async () => (/cleaned up: /.test(drill.stderr) ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 100,
      onTimeout: () => new Error(`no clean-up line in:\n${drill.stderr}`),
    });
    expect(drill.stderr).toMatch(
      /^drill: interrupted by its parent process exiting \(npm or the shell was stopped; signal the process group\) (at|after) step \d+\/18 \(.*\); cleaned up: sandbox stopped, \S+ removed$/m,
    );
    await expectNothingLeft(up);
    expect(existsSync(join(out, "orphan.json"))).toBe(false);
  }, 600_000);

  test("stdout closed under it (piped into head): exit 141, nothing left", async () => {
    const drill = startDrill("epipe");
    const up = await sandboxUp(drill);
    await stdoutMatch(drill, /^\[3\/18\] /m, 60_000);
    drill.child.stdout?.destroy();
    expect(await drill.exited).toBe(141);
    expect(drill.stderr).toMatch(
      /^drill: interrupted by stdout closing \(EPIPE\) (at|after) step \d+\/18 \(.*\); cleaned up: sandbox stopped, \S+ removed$/m,
    );
    await expectNothingLeft(up);
  }, 600_000);
});
