/**
 * wal-g, for what the host plane reads from it: the newest base backup's finish time from
 * `backup-list --detail --json` (wal-g's JSON, never its human-readable table). Without the
 * binary there is no answer, and the caller says so instead of guessing.
 */
import { accessSync, constants } from "node:fs";
import type { HostConfig } from "../../infra/catalog/hostConfig";
import { JobError } from "./errors";
import { runChecked } from "./exec";

export function walgInstalled(config: HostConfig): boolean {
  try {
    accessSync(config.postgres.walg.binary, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface BaseBackup {
  readonly name: string;
  readonly finishTime: Date;
}

/** Base backups as wal-g lists them, oldest first. */
export async function listBaseBackups(config: HostConfig): Promise<BaseBackup[]> {
  const { walg } = config.postgres;
  const { stdout } = await runChecked(
    [walg.binary, "--config", walg.configFile, "backup-list", "--detail", "--json"],
    { timeoutMs: 120_000 },
  );
  let parsed: unknown;
  try {
    parsed = stdout.trim() === "" ? [] : JSON.parse(stdout);
  } catch {
    throw new JobError(
      "wal-g backup-list --json printed something that is not JSON",
      `run '${walg.binary} backup-list --detail --json' by hand`,
    );
  }
  if (!Array.isArray(parsed)) throw new JobError("wal-g backup-list --json did not print a list");
  return parsed
    .map((b: { backup_name?: unknown; finish_time?: unknown }) => ({
      name: String(b.backup_name),
      finishTime: new Date(String(b.finish_time)),
    }))
    .filter((b) => !Number.isNaN(b.finishTime.getTime()))
    .sort((a, b) => a.finishTime.getTime() - b.finishTime.getTime());
}
