/**
 * What the sandbox's commands (sandbox, drill, bench) do when they are interrupted: Ctrl-C
 * (SIGINT), SIGTERM, stdout closing under them (EPIPE, e.g. piped into
 * `head`), or their parent going away: `npm run` answers a SIGTERM sent to it alone by exiting at
 * once without passing it on, so the command, reparented, would run to its end and overwrite its
 * report. Without this the process ends at once and leaves PostgreSQL, Redis, moto, the TLS front,
 * the engine's async archive-push and the temp dir behind, or goes on unseen. With it: one
 * tear-down, one stderr line, one exit status.
 */

export type InterruptionCause = "SIGINT" | "SIGTERM" | "EPIPE" | "PARENT_EXIT";

/**
 * As a shell reports a process ended by the signal: 128 + its number (EPIPE: SIGPIPE's 13; the
 * parent gone: SIGHUP's, what a process loses its controlling terminal by). SIGHUP itself keeps
 * Node's default, so that `nohup npm run drill &` still outlives the terminal.
 */
export const INTERRUPTED_EXIT: Readonly<Record<InterruptionCause, number>> = {
  SIGINT: 130,
  SIGTERM: 143,
  EPIPE: 141,
  PARENT_EXIT: 129,
};

const CAUSE_TEXT: Readonly<Record<InterruptionCause, string>> = {
  SIGINT: "SIGINT",
  SIGTERM: "SIGTERM",
  EPIPE: "stdout closing (EPIPE)",
  PARENT_EXIT:
    "its parent process exiting (npm or the shell was stopped; signal the process group)",
};

/** How often the parent is looked for; milliseconds. */
const PARENT_CHECK_MS = 1000;

export interface InterruptionOptions {
  /** Prefix of the stderr line: `drill`. */
  readonly name: string;
  /** Where the command was when interrupted, for the line: `at step 8/18 (…)`. */
  readonly where?: () => string;
  /** Stops what the command started; resolves to what it cleaned up, for the line. */
  readonly tearDown: () => Promise<string>;
  /** Exit status after a clean tear-down (default `INTERRUPTED_EXIT[cause]`). */
  readonly exitCode?: (cause: InterruptionCause) => number;
}

export interface Interruption {
  /** What interrupted the command, once something has. */
  readonly cause: InterruptionCause | undefined;
  /**
   * Ends the process with `code`, unless an interruption is being handled: its tear-down exits
   * then (the command's own flow, failing as its services go, must not exit first).
   */
  exit(code: number): void;
}

/**
 * From now on, the first SIGINT, SIGTERM, EPIPE on stdout or exit of the parent process
 * (looked for every second) runs `tearDown` once (later ones are
 * ignored while it runs), writes `<name>: interrupted by <cause> <where>; cleaned up: <what>` to
 * stderr and exits with `exitCode(cause)`. A tear-down that throws: `…; clean-up failed: <error>`
 * and exit 1.
 */
export function tearDownOnInterruption(options: InterruptionOptions): Interruption {
  let cause: InterruptionCause | undefined;
  const interrupt = (what: InterruptionCause) => {
    if (cause !== undefined) return;
    cause = what;
    const head = `${options.name}: interrupted by ${CAUSE_TEXT[what]}${options.where ? ` ${options.where()}` : ""}`;
    options.tearDown().then(
      (cleaned) => {
        process.stderr.write(`${head}; cleaned up: ${cleaned}\n`);
        process.exit((options.exitCode ?? ((c) => INTERRUPTED_EXIT[c]))(what));
      },
      (error: unknown) => {
        process.stderr.write(
          `${head}; clean-up failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => interrupt("SIGINT"));
  process.on("SIGTERM", () => interrupt("SIGTERM"));
  // Reparented (to init or a subreaper) once the parent is gone: process.ppid is read anew each time.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) interrupt("PARENT_EXIT");
  }, PARENT_CHECK_MS).unref();
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    interrupt("EPIPE");
  });
  return {
    get cause() {
      return cause;
    },
    exit(code: number) {
      if (cause === undefined) process.exit(code);
    },
  };
}
