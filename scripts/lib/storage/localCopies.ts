/**
 * The runbook's local copies under `local.root/<row>/`: written only while the file system has
 * room (below `local.maxDiskUsagePercent`), pruned by the UTC time stamp in their names after the
 * row's local retention, never down to no copy (see `pruneLocalCopies`).
 */
import { promises as fs } from "node:fs";
import { dirname, join } from "node:path";
import type { HostConfig, LocalCopyKey } from "../../../infra/catalog/hostConfig";
import { JobError } from "../job/errors";
import type { Logger } from "../job/log";
import { parseUtcStamp, UTC_STAMP_PATTERN } from "../job/time";

/** Used share of the file system holding `path`, as `df` shows it (used / (used + available)). */
export async function diskUsagePercent(path: string): Promise<number> {
  const s = await fs.statfs(path);
  const used = s.blocks - s.bfree;
  const total = used + s.bavail;
  return total === 0 ? 0 : Math.round((used / total) * 1000) / 10;
}

/**
 * The mount point of the file system holding `path`: the highest ancestor of its real path on the
 * same device (`st_dev`). Says which volume a figure is about: `/` when the backup volume is not
 * mounted and its directory sits on the root file system.
 */
export async function mountPointOf(path: string): Promise<string> {
  let current = await fs.realpath(path);
  const device = (await fs.stat(current)).dev;
  while (current !== "/") {
    const parent = dirname(current);
    if ((await fs.stat(parent)).dev !== device) break;
    current = parent;
  }
  return current;
}

export interface BackupVolume {
  readonly root: string;
  readonly mountPoint: string;
  readonly percent: number;
}

/**
 * Measures the file system holding the local backup root without creating anything. Throws a
 * JobError naming the root when it does not exist: a missing root usually means an unmounted
 * volume, and creating it would put the backups on whatever file system lies beneath.
 */
export async function measureBackupVolume(config: HostConfig): Promise<BackupVolume> {
  const root = config.local.root;
  try {
    await fs.stat(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw new JobError(
      `the local backup root ${root} does not exist`,
      `mount the backup volume at ${root} (or create the directory if backups belong on the file system beneath); no job creates it`,
    );
  }
  return { root, mountPoint: await mountPointOf(root), percent: await diskUsagePercent(root) };
}

export function localCopyDir(config: HostConfig, row: LocalCopyKey): string {
  return join(config.local.root, row);
}

export interface RoomCheck {
  readonly ok: boolean;
  readonly percent: number;
  readonly limit: number;
}

/**
 * Whether a local copy may be written: the backup file system is below the configured limit.
 * Creates the row's directory inside an existing root only; a missing root throws (see
 * `measureBackupVolume`).
 */
export async function localRoom(config: HostConfig, row: LocalCopyKey): Promise<RoomCheck> {
  const { percent } = await measureBackupVolume(config);
  await fs.mkdir(localCopyDir(config, row), { mode: 0o750 }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  });
  return {
    ok: percent < config.local.maxDiskUsagePercent,
    percent,
    limit: config.local.maxDiskUsagePercent,
  };
}

/**
 * Deletes this job's files in `dir` (names matching `pattern`, which must contain a UTC stamp)
 * older than the row's local retention by that stamp, and returns their names; with `dryRun`, only
 * returns them. Other files are never touched.
 *
 * The newest copy of each thing is never deleted, whatever the clock says: copies are grouped by
 * their name before the stamp (`db-configs-`, `dump-`), and in each group the copy with the
 * greatest stamp and the copy last written (mtime) stay, as do the names in `keep` (the job's
 * current copy, which may be an older one found unchanged). A clock stepped forward then ages
 * out only what has a newer copy beside it.
 */
export async function pruneLocalCopies(
  config: HostConfig,
  row: LocalCopyKey,
  pattern: RegExp,
  log: Logger,
  options: {
    readonly now?: Date;
    readonly dryRun?: boolean;
    readonly keep?: readonly string[];
  } = {},
): Promise<string[]> {
  const dir = localCopyDir(config, row);
  const now = options.now ?? new Date();
  const cutoff = now.getTime() - config.local.retentionDays[row] * 86_400_000;
  const copies: { name: string; group: string; stamp: number; mtimeMs: number }[] = [];
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (!pattern.test(name)) continue;
    const at = UTC_STAMP_PATTERN.exec(name);
    const stamp = parseUtcStamp(name);
    if (!at || !stamp) continue;
    const mtimeMs = await fs
      .stat(join(dir, name))
      .then((s) => s.mtimeMs)
      .catch(() => undefined);
    if (mtimeMs === undefined) continue;
    copies.push({ name, group: name.slice(0, at.index), stamp: stamp.getTime(), mtimeMs });
  }
  const kept = new Set(options.keep ?? []);
  for (const group of new Set(copies.map((c) => c.group))) {
    const members = copies.filter((c) => c.group === group);
    const newest = (key: "stamp" | "mtimeMs") =>
      members.reduce((a, b) => (b[key] > a[key] || (b[key] === a[key] && b.name > a.name) ? b : a));
    kept.add(newest("stamp").name).add(newest("mtimeMs").name);
  }
  const removed: string[] = [];
  for (const copy of copies) {
    if (kept.has(copy.name) || copy.stamp >= cutoff) continue;
    if (!options.dryRun) await fs.rm(join(dir, copy.name), { force: true });
    removed.push(copy.name);
  }
  if (removed.length > 0 && !options.dryRun) {
    log.info("pruned local copies past retention", {
      dir,
      retentionDays: config.local.retentionDays[row],
      removed,
    });
  }
  return removed;
}
