/**
 * The directory `npm run synth --out DIR` writes into, made ready before anything is written: a
 * path that cannot be a directory (under a file, read-only, not permitted) is one line naming
 * `--out`, not a file system stack trace.
 */
import { accessSync, constants, mkdirSync } from "node:fs";

/** `--out` cannot be written; its message is the one line to print. */
export class OutDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutDirError";
  }
}

/**
 * Creates `dir` (and its parents) if needed and checks it is a writable directory.
 * @param dir absolute path
 * @throws OutDirError `--out <dir>: cannot write there (<errno>: <reason>, <syscall> <path>); choose another directory`
 */
export function prepareOutDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new OutDirError(
      `--out ${dir}: cannot write there (${e.message}); choose another directory`,
    );
  }
}
