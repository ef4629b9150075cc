/**
 * Processes a sandbox's services leave behind once they are stopped. PostgreSQL's archiver runs
 * the engine's archive_command, and pgBackRest's asynchronous archive-push forks a daemon of its
 * own (`pgbackrest --config=<sandbox>/etc/… archive-push:async`, as `postgres`, in its own session)
 * that outlives the postmaster while it works through the spool queue, and keeps retrying S3 once
 * the sandbox's moto is gone. Every such process names the sandbox dir in its command line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { sleep } from "../lib/job/time";

/**
 * Linux only: /proc/<pid>/cmdline, arguments separated by NUL; undefined once the process is gone
 * or a zombie (an exited process not yet reaped has an empty command line).
 */
function commandLineOf(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return text === "" ? undefined : text.split("\0");
  } catch {
    return undefined;
  }
}

/** Pids (other than this process) with an argument under `dir` (`--config=<dir>/…` counts). */
export function processesNaming(dir: string): number[] {
  const under = `${dir}/`;
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid)
    .filter((pid) => commandLineOf(pid)?.some((arg) => arg.includes(under)) ?? false);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

/**
 * Ends every process naming `dir`: SIGTERM, then SIGKILL to those still there after `graceMs`
 * (milliseconds, polled every 100 ms). Resolves to the pids it found, once all are gone.
 */
export async function endProcessesNaming(dir: string, graceMs = 5000): Promise<number[]> {
  const found = processesNaming(dir);
  for (const pid of found) signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  let left = found;
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = left.filter((pid) => commandLineOf(pid) !== undefined);
  }
  for (const pid of left) signal(pid, "SIGKILL");
  return found;
}
