/**
 * A restore recovers to its target and is promoted: the restored cluster is never a standby.
 * PostgreSQL enters standby mode whenever `standby.signal` is in the data directory, recovery.signal
 * or not (PostgreSQL 15 docs, 26.2.2 "Standby Server Operation"), and a backup read from a standby
 * was taken where that file exists. The engines here leave it out of their backups (each by its
 * own list of excluded files); the restore contract does not rest on every engine's list.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";

export const STANDBY_SIGNAL = "standby.signal";

/** Removes `standby.signal` from a restored data directory; resolves whether there was one. */
export async function removeStandbySignal(pgData: string): Promise<boolean> {
  const path = join(pgData, STANDBY_SIGNAL);
  try {
    await rm(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
