/**
 * What a run leaves behind when it is killed mid-way (SIGKILL, a reboot, SSM's timeout): staged
 * copies beside the file they become (`.<name>.<pid>-<random>.partial`, see `stagingName`) and
 * work directories under the temp dir (`<job>-<pid>-XXXXXX`, see `makeWorkDir`). No `finally`
 * runs then, so the next run of the same job removes them, before it measures the disk: a staged
 * dump is as large as the dump, and on the backup volume it counts against the disk limit.
 *
 * A leftover is recognised by its shape and by the pid in its name: only files of a process that
 * is gone (or of an earlier process that had this pid) are removed, so another job's files, or
 * another run's, are never touched even where two jobs share a directory (the temp dir is shared
 * by every job and user). Staged files named before the pid was part of their name
 * (`.<name>.<random>.partial`) are removed too: each job sweeps only the staged names that it
 * alone writes in its own directories, and it holds its lock (lock.ts) while it does.
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive } from "../job/lock";
import type { Logger } from "../job/log";

/** `.<name>.<pid>-<8 hex>.partial`; the pid is optional in names written before it was added. */
const STAGING = /^\.(.+)\.(?:(\d+)-)?[0-9a-f]{8}\.partial$/;

/** The staged sibling's name for a file to be called `name`: hidden, with this process's pid. */
export function stagingName(name: string): string {
  return `.${name}.${process.pid}-${randomBytes(4).toString("hex")}.partial`;
}

/** True when no live process other than this one can own a leftover with this pid. */
function ownerGone(pid: number | undefined): boolean {
  return pid === undefined || pid === process.pid || !isAlive(pid);
}

/**
 * The final name a staged file was for (`.a.rdb.12-0123abcd.partial` → `a.rdb`; staged copies of
 * staged copies are unwrapped), when every process that staged it is gone; otherwise undefined.
 */
export function abandonedStagingOf(name: string): string | undefined {
  let current = name;
  let layers = 0;
  for (let m = STAGING.exec(current); m; m = STAGING.exec(current)) {
    if (!ownerGone(m[2] === undefined ? undefined : Number(m[2]))) return undefined;
    current = m[1];
    layers++;
  }
  return layers > 0 ? current : undefined;
}

/** `<job>-<pid>-XXXXXX` under the temp dir: a job's private work directory (mode 0700). */
export function makeWorkDir(job: string): Promise<string> {
  return fs.mkdtemp(join(tmpdir(), `${job}-${process.pid}-`));
}

function abandonedWorkDir(job: string, name: string): boolean {
  if (!name.startsWith(`${job}-`)) return false;
  const m = /^(\d+)-[A-Za-z0-9]{6}$/.exec(name.slice(job.length + 1));
  return m !== null && ownerGone(Number(m[1]));
}

/** A directory a job stages files in, and the final names it stages there. */
export interface StagingPlace {
  readonly dir: string;
  /** Whether `name` is one this job stages in `dir` (a local copy's pattern, the dump's name). */
  readonly isFinal: (name: string) => boolean;
}

/**
 * Removes what earlier, killed runs of `job` left: abandoned staged files (`abandonedStagingOf`)
 * whose final name matches in each place, and abandoned work directories of `job` under the temp
 * dir. Call it while holding the job's lock and before staging anything. Returns the removed
 * paths and logs them with their size (a warning: a killed run is worth knowing about).
 */
export async function removeLeftovers(
  job: string,
  places: readonly StagingPlace[],
  log: Logger,
): Promise<string[]> {
  const found: string[] = [];
  for (const place of places) {
    for (const name of await fs.readdir(place.dir).catch(() => [] as string[])) {
      const final = abandonedStagingOf(name);
      if (final !== undefined && place.isFinal(final)) found.push(join(place.dir, name));
    }
  }
  for (const name of await fs.readdir(tmpdir())) {
    if (abandonedWorkDir(job, name)) found.push(join(tmpdir(), name));
  }
  if (found.length === 0) return [];
  let bytes = 0;
  for (const path of found) {
    bytes += await fs
      .lstat(path)
      .then((s) => (s.isDirectory() ? 0 : s.size))
      .catch(() => 0);
    await fs.rm(path, { recursive: true, force: true });
  }
  log.warn("removed what an earlier run of this job left behind (it was killed mid-way)", {
    removed: found,
    bytes,
  });
  return found;
}
