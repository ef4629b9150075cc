/**
 * The runbook's local copies under `local.root/<row>/`: written only while the file system has
 * room (below `local.maxDiskUsagePercent`), pruned by the UTC time stamp in their names after the
 * row's local retention.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import type { HostConfig, LocalCopyKey } from "../../infra/catalog/hostConfig";
import type { Logger } from "./log";
import { parseUtcStamp } from "./time";

/** Used share of the file system holding `path`, as `df` shows it (used / (used + available)). */
export async function diskUsagePercent(path: string): Promise<number> {
  const s = await fs.statfs(path);
  const used = s.blocks - s.bfree;
  const total = used + s.bavail;
  return total === 0 ? 0 : Math.round((used / total) * 1000) / 10;
}

export function localCopyDir(config: HostConfig, row: LocalCopyKey): string {
  return join(config.local.root, row);
}

export interface RoomCheck {
  readonly ok: boolean;
  readonly percent: number;
  readonly limit: number;
}

/** Whether a local copy may be written: the backup file system is below the configured limit. */
export async function localRoom(config: HostConfig, row: LocalCopyKey): Promise<RoomCheck> {
  const dir = localCopyDir(config, row);
  await fs.mkdir(dir, { recursive: true, mode: 0o750 });
  const percent = await diskUsagePercent(dir);
  return {
    ok: percent < config.local.maxDiskUsagePercent,
    percent,
    limit: config.local.maxDiskUsagePercent,
  };
}

/**
 * Deletes this job's files in `dir` (names matching `pattern`, which must contain a UTC stamp)
 * older than the row's local retention. Other files are never touched.
 */
export async function pruneLocalCopies(
  config: HostConfig,
  row: LocalCopyKey,
  pattern: RegExp,
  log: Logger,
  now: Date = new Date(),
): Promise<string[]> {
  const dir = localCopyDir(config, row);
  const cutoff = now.getTime() - config.local.retentionDays[row] * 86_400_000;
  const removed: string[] = [];
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (!pattern.test(name)) continue;
    const stamp = parseUtcStamp(name);
    if (stamp && stamp.getTime() < cutoff) {
      await fs.rm(join(dir, name), { force: true });
      removed.push(name);
    }
  }
  if (removed.length > 0) {
    log.info("pruned local copies past retention", {
      dir,
      retentionDays: config.local.retentionDays[row],
      removed,
    });
  }
  return removed;
}
