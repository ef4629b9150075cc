/**
 * The directory a command's `--out` writes into (synth's plan, the drill's report, the bench's
 * results), made ready before any work: a path that cannot be a directory (under a file, under
 * /proc, read-only, not permitted) is one line naming `--out`, before a drill or a bench has run
 * for minutes only to lose what it measured, and never a file system stack trace.
 */
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** `--out` cannot be written; its message is the one line to print. */
export class OutDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutDirError";
  }
}

/**
 * `mkdir -p` one level at a time. Not Node's `recursive: true`: on Linux it spins forever at 100%
 * CPU when a parent exists but refuses children with ENOENT (a path under /proc, a dangling
 * symlink), because it reads every ENOENT as "create the parent first" (Node.js 22's recursive
 * mkdir; the same loop was fixed in bun, oven-sh/bun#40600). Here the missing levels are known
 * before the first mkdir, so each is tried once.
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (error) {
      // EEXIST: made meanwhile, or a dangling symlink (its child's mkdir then fails for good).
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/**
 * Creates `dir` (and its parents) if needed and checks it is a writable directory.
 * @param dir the directory, absolute or from the working directory
 * @param option how the user named it, for the message (default `--out <dir>`; the drill's
 *   `--out` names a file in `dir`)
 * @throws OutDirError `<option>: cannot write there (<errno>: <reason>, <syscall> <path>); choose another directory`
 */
export function prepareOutDir(dir: string, option = `--out ${dir}`): void {
  try {
    makeDirectories(dir);
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new OutDirError(`${option}: cannot write there (${e.message}); choose another directory`);
  }
}
