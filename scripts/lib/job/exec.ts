/**
 * Runs commands as argument vectors (never through a shell), with a timeout, and turns a failure
 * into a message that names the command and the end of what it printed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { JobError } from "./errors";

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Send stdout to /dev/null (a command that streams data only to prove it can be read). */
  readonly discardStdout?: boolean;
}

/** Shell-like display of an argv for messages (quoted where needed). */
export function showArgv(argv: readonly string[]): string {
  return argv
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`))
    .join(" ");
}

function tail(text: string, lines = 5): string {
  return text.trim().split("\n").slice(-lines).join(" | ");
}

/** Commands started by `runCommand` that have not ended yet. */
const running = new Set<ChildProcess>();

/**
 * Kills (SIGKILL) every command `runCommand` started that is still running, for a run that stops
 * itself before its SSM document's timeout: nothing it started goes on writing after it reported.
 * @returns how many were killed
 */
export function killRunningCommands(): number {
  const live = [...running].filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of live) child.kill("SIGKILL");
  return live.length;
}

/** Resolves with the exit code whatever it is; rejects only when the program cannot start or times out. */
export function runCommand(
  argv: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  if (argv.length === 0) return Promise.reject(new JobError("empty command"));
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ["ignore", options.discardStdout ? "ignore" : "pipe", "pipe"],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    running.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const timeoutMs = options.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new JobError(
          `'${showArgv(argv)}' did not finish within ${Math.round(timeoutMs / 1000)} s and was killed`,
        ),
      );
    }, timeoutMs);
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      running.delete(child);
      const why =
        error.code === "ENOENT"
          ? "program not found (is it installed and on PATH?)"
          : error.message;
      reject(new JobError(`cannot run '${showArgv(argv)}': ${why}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Like `runCommand`, but a non-zero exit is a `JobError` naming the command and its last output. */
export async function runChecked(
  argv: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const result = await runCommand(argv, options);
  if (result.code !== 0) {
    const output = tail(result.stderr) || tail(result.stdout) || "no output";
    throw new JobError(`'${showArgv(argv)}' exited with code ${result.code}: ${output}`);
  }
  return result;
}
