/**
 * Runs a job the way a host does: its own Node.js process, parameters in the environment, JSON
 * lines on stdout, the on-call line on stderr, an exit code.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

import { REPO_ROOT } from "../../../infra/repoRoot";
import { parseLogLines, type LogRecord } from "../../../scripts/lib/job/log";

export { REPO_ROOT };

export interface JobRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout's JSON lines, parsed (non-JSON lines are kept out). */
  readonly logs: readonly LogRecord[];
}

export function jobEntry(job: string): string {
  return join(REPO_ROOT, "scripts", "jobs", `${job}.ts`);
}

export function runJobProcess(
  job: string,
  env: Readonly<Record<string, string>>,
  entry = jobEntry(job),
  /** Each stdout chunk as it arrives, for tests that act at a point of the run. */
  onStdout?: (chunk: string) => void,
): Promise<JobRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(d.toString());
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      resolvePromise({ code: code ?? -1, stdout, stderr, logs: parseLogLines(stdout) });
    });
  });
}

/** The messages of a run's log lines, for readable assertions. */
export function messages(run: JobRun): string[] {
  return run.logs.map((l) => l.msg);
}
