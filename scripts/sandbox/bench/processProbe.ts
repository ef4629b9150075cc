/**
 * Runs a program once and measures it from the outside: wall time to exit, time to its first
 * line of output, and peak resident memory. Peak RSS comes from GNU time (`/usr/bin/time -v`,
 * the kernel's own high-water mark at exit) when installed, else from polling the process's
 * `VmHWM` in /proc, which can miss growth in the last poll interval.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const GNU_TIME = "/usr/bin/time";
const PROC_POLL_MS = 5;

export type RssSource = "/usr/bin/time -v" | "/proc VmHWM polling";

export interface ProcessMeasurement {
  readonly exitCode: number;
  readonly wallMs: number;
  /** From spawn to the first complete line on stdout; undefined if it printed none. */
  readonly firstLineMs?: number;
  readonly peakRssKb: number;
  readonly rssSource: RssSource;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ProbeOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** GNU time and /proc report KiB; figures are in MB of 10^6 bytes. */
export function kbToMb(kb: number): number {
  return (kb * 1024) / 1e6;
}

function gnuTimeAvailable(): boolean {
  try {
    accessSync(GNU_TIME, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `Maximum resident set size (kbytes): 71234` in GNU time's verbose report. */
export function parseGnuTimePeakRssKb(report: string): number {
  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
  if (!match) throw new Error(`no peak RSS in GNU time's report:\n${report}`);
  return Number(match[1]);
}

function readVmHwmKb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined; // exited between polls
  }
}

export function measureProcess(
  program: string,
  args: readonly string[],
  options: ProbeOptions,
): Promise<ProcessMeasurement> {
  const useTime = gnuTimeAvailable();
  const reportDir = useTime ? mkdtempSync(join(tmpdir(), "bench-time-")) : undefined;
  const reportFile = reportDir ? join(reportDir, "time.txt") : undefined;
  const [command, argv] = reportFile
    ? [GNU_TIME, ["-v", "-o", reportFile, program, ...args]]
    : [program, [...args]];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const sinceStart = () => Number(process.hrtime.bigint() - started) / 1e6;
    const child = spawn(command, argv, {
      env: options.env,
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let firstLineMs: number | undefined;
    let polledKb = 0;
    const poller = reportFile
      ? undefined
      : setInterval(() => {
          polledKb = Math.max(polledKb, (child.pid && readVmHwmKb(child.pid)) || 0);
        }, PROC_POLL_MS);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (firstLineMs === undefined && stdout.includes("\n")) firstLineMs = sinceStart();
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    let wallMs = 0;
    // Exit, not close: the program's own lifetime, not the time its pipes take to drain.
    child.on("exit", () => {
      wallMs = sinceStart();
      if (poller) clearInterval(poller);
    });
    child.on("close", (code) => {
      try {
        const peakRssKb = reportFile
          ? parseGnuTimePeakRssKb(readFileSync(reportFile, "utf8"))
          : polledKb;
        resolve({
          exitCode: code ?? -1,
          wallMs,
          ...(firstLineMs !== undefined ? { firstLineMs } : {}),
          peakRssKb,
          rssSource: reportFile ? "/usr/bin/time -v" : "/proc VmHWM polling",
          stdout,
          stderr,
        });
      } catch (error) {
        reject(error);
      } finally {
        if (reportDir) rmSync(reportDir, { recursive: true, force: true });
      }
    });
  });
}
