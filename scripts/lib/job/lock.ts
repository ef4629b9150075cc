/**
 * One run of a job at a time per host: an exclusive lock file (`O_EXCL` create) holding the
 * owner's pid. A lock whose pid is no longer alive was left by a crashed run and is taken over.
 */
import { promises as fs, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { JobError } from "./errors";

export interface LockInfo {
  readonly pid: number;
  readonly job: string;
  readonly host: string;
  readonly startedAt: string;
}

export class LockBusyError extends JobError {
  constructor(
    readonly path: string,
    readonly holder: LockInfo,
  ) {
    super(
      `another ${holder.job} run is still going (pid ${holder.pid}, started ${holder.startedAt}); not starting a second one`,
      `wait for it to finish, or check 'ps -p ${holder.pid}'; the lock is ${path}`,
    );
    this.name = "LockBusyError";
  }
}

export interface HeldLock {
  readonly path: string;
  /** Set when a dead run's lock was taken over. */
  readonly replacedStale?: LockInfo;
  release(): Promise<void>;
}

/**
 * True while a process with this pid runs (EPERM means it exists but belongs to someone else). A
 * zombie (exited, not yet reaped) counts as dead.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

async function readLock(path: string): Promise<{ info?: LockInfo; ino: number } | undefined> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(path, "utf8"), fs.stat(path)]);
    try {
      const info = JSON.parse(text) as LockInfo;
      return Number.isInteger(info.pid) && info.pid > 0
        ? { info, ino: stat.ino }
        : { ino: stat.ino };
    } catch {
      return { ino: stat.ino };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Takes `<lockDir>/<job>.lock` or throws `LockBusyError`. A lock file without a readable pid (a
 * crash between create and write) counts as stale once it is older than `unreadableGraceMs`, or
 * when its mtime is after now (the clock was stepped back).
 */
export async function acquireLock(
  lockDir: string,
  job: string,
  options: { readonly pid?: number; readonly unreadableGraceMs?: number } = {},
): Promise<HeldLock> {
  const pid = options.pid ?? process.pid;
  const path = join(lockDir, `${job}.lock`);
  await fs.mkdir(lockDir, { recursive: true, mode: 0o755 });
  const mine: LockInfo = { pid, job, host: hostname(), startedAt: new Date().toISOString() };
  let replacedStale: LockInfo | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await fs.open(path, "wx", 0o644);
      try {
        await handle.writeFile(`${JSON.stringify(mine)}\n`);
      } finally {
        await handle.close();
      }
      return {
        path,
        ...(replacedStale ? { replacedStale } : {}),
        release: async () => {
          const current = await readLock(path);
          if (current?.info?.pid === pid) await fs.rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const held = await readLock(path);
    if (held === undefined) continue;
    if (held.info && isAlive(held.info.pid)) throw new LockBusyError(path, held.info);
    if (!held.info) {
      // A lock written "in the future" means the clock was stepped back since: its age is
      // unknown, and waiting for the clock to catch up would block the job for as long as the step.
      const age = Date.now() - (await fs.stat(path)).mtimeMs;
      if (age >= 0 && age < (options.unreadableGraceMs ?? 10_000)) {
        throw new LockBusyError(path, {
          pid: 0,
          job,
          host: hostname(),
          startedAt: "just now (lock still being written)",
        });
      }
    }
    // Take the stale lock aside under a unique name and check it is the one we judged dead
    // (same inode): two runs breaking the same stale lock cannot both win.
    const aside = `${path}.stale-${pid}`;
    try {
      await fs.rename(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    const moved = await fs.stat(aside);
    if (moved.ino !== held.ino) {
      await fs.rename(aside, path).catch(() => undefined);
      continue;
    }
    await fs.rm(aside, { force: true });
    replacedStale = held.info ?? { pid: 0, job, host: hostname(), startedAt: "unknown" };
  }
  throw new JobError(
    `could not take the lock ${path} after 3 attempts`,
    "another run may be starting at the same moment; try again",
  );
}
