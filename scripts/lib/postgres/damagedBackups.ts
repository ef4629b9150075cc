/**
 * Backups the engine marked damaged (`EngineBackup.ok` false: it read pages that failed their
 * checksums while taking them, PostgreSQL docs 30.2 "Data Checksums"). One wording for every
 * listing, so a damaged backup is named wherever backups are counted and never passed over in
 * silence for an older clean one.
 */
import type { EngineBackup } from "../engines";

/** `backup <name> is damaged: …`, with the files and blocks the engine named when it did. */
export function damagedBackupMessage(backup: EngineBackup): string {
  const where = backup.damage?.length ? `: ${backup.damage.join("; ")}` : "";
  return `backup ${backup.name} is damaged: the engine read pages that failed their checksums while taking it${where}`;
}

/** The damaged backups newer than `than` (all damaged ones when `than` is undefined), oldest first. */
export function damagedNewerThan(
  backups: readonly EngineBackup[],
  than: EngineBackup | undefined,
): EngineBackup[] {
  return backups.filter(
    (b) => !b.ok && (!than || b.stoppedAt.getTime() > than.stoppedAt.getTime()),
  );
}
