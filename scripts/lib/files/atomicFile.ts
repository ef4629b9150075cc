/**
 * Writes that never leave a partial file under a final name: write a temp file in the same
 * directory, fsync it, then rename it over the target (atomic on one file system). A crash leaves
 * at most a `.partial` temp file, which no job ever reads as a backup and the job's next run
 * removes (leftovers.ts). A target that is a symlink
 * is written through (the file it points at is replaced, the link stays), as an editor or `cp`
 * would: hosts often link config files into release or shared directories.
 */
import { promises as fs, constants as fsConstants } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { stagingName } from "./leftovers";

export interface FileOwnership {
  /** Permission bits, e.g. 0o640. */
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

/**
 * `.<name>.<pid>-<random>.partial` beside `path`: same file system, so the final rename is atomic;
 * a killed run's is recognised and removed by the next run (leftovers.ts).
 */
export function tempSibling(path: string): string {
  return join(dirname(path), stagingName(basename(path)));
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function finish(temp: string, target: string, own: FileOwnership): Promise<void> {
  if (own.mode !== undefined) await fs.chmod(temp, own.mode);
  if (own.uid !== undefined || own.gid !== undefined)
    await fs.chown(temp, own.uid ?? -1, own.gid ?? -1);
  await fs.rename(temp, target);
  await fsyncDir(dirname(target));
}

export async function writeFileAtomic(
  linkOrPath: string,
  data: string | Buffer,
  own: FileOwnership = {},
): Promise<void> {
  const path = await writeTarget(linkOrPath);
  await fs.mkdir(dirname(path), { recursive: true });
  const temp = tempSibling(path);
  try {
    const handle = await fs.open(temp, "wx", own.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await finish(temp, path, own);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/**
 * Copies `source` (opened once, so a file replaced meanwhile is copied whole) to a synced temp
 * sibling of `target` and returns its path; `publishFile` gives it the final name. Nothing is left
 * behind when the copy fails (ENOSPC included).
 */
export async function stageCopy(source: string, target: string): Promise<string> {
  await fs.mkdir(dirname(target), { recursive: true });
  const temp = tempSibling(target);
  try {
    await fs.copyFile(source, temp, fsConstants.COPYFILE_EXCL);
    const handle = await fs.open(temp, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** Copies `source` (opened once, so a file replaced meanwhile is copied whole) to `target`. */
export async function copyFileAtomic(
  source: string,
  linkOrTarget: string,
  own: FileOwnership = {},
): Promise<void> {
  const target = await writeTarget(linkOrTarget);
  const temp = await stageCopy(source, target);
  try {
    await finish(temp, target, own);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/**
 * Renames a finished temp file (a `tempSibling` of `target`) into place, with ownership set first.
 * When `target` is a symlink into another directory, the file is copied there atomically instead
 * (a rename may not cross file systems) and the temp file removed.
 */
export async function publishFile(
  temp: string,
  linkOrTarget: string,
  own: FileOwnership = {},
): Promise<void> {
  const target = await writeTarget(linkOrTarget);
  if (dirname(target) === dirname(temp)) return finish(temp, target, own);
  await copyFileAtomic(temp, target, own);
  await fs.rm(temp, { force: true });
}

export async function exists(path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/**
 * Moves `path` to `<path>.<suffix>` (adding `.1`, `.2`… if that exists), never over an earlier
 * copy. Returns the new path, or undefined when there was nothing to move.
 */
export async function moveAside(path: string, suffix: string): Promise<string | undefined> {
  if (!(await exists(path))) return undefined;
  let target = `${path}.${suffix}`;
  for (let n = 1; await exists(target); n++) target = `${path}.${suffix}.${n}`;
  await fs.rename(path, target);
  return target;
}

/** Linux's own limit on symlinks followed in one path lookup (MAXSYMLINKS, path_resolution(7)). */
const MAX_SYMLINK_HOPS = 40;

/**
 * The file that writing "to `path`" should replace: `path` itself, or, when it is a symlink, the
 * file its chain of links ends at (which may not exist yet). An atomic write renames over its
 * target, so writing to the link itself would replace the link with a regular file. Throws
 * ELOOP past 40 links, as the kernel would.
 */
export async function writeTarget(path: string): Promise<string> {
  let current = path;
  for (let hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
    let stat;
    try {
      stat = await fs.lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return current;
      throw error;
    }
    if (!stat.isSymbolicLink()) return current;
    current = resolve(dirname(current), await fs.readlink(current));
  }
  throw Object.assign(new Error(`${path}: more than ${MAX_SYMLINK_HOPS} symbolic links`), {
    code: "ELOOP",
  });
}
