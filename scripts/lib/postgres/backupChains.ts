/**
 * A backup's chain: what a restore of it reads, oldest first. A full stands alone; a differential
 * or incremental needs the backup it builds on (`prior`), and that one its own, down to a full.
 * Pure: listings in, chain or the reason it is broken out.
 */
import type { EngineBackup } from "../engines";

export type BackupChain =
  | { readonly ok: true; readonly chain: readonly EngineBackup[] }
  | { readonly ok: false; readonly problem: string };

/**
 * `backup`'s chain among `backups` (one repository's listing), ending with `backup`. Broken when a
 * backup it builds on is not listed (expired, deleted) or is damaged: the problem names both, in
 * `where`'s words. Throws on nothing; a cycle in the listing (never written by an engine) breaks it.
 */
export function backupChain(
  backup: EngineBackup,
  backups: readonly EngineBackup[],
  where: string,
): BackupChain {
  const chain: EngineBackup[] = [backup];
  for (let current = backup; current.prior !== undefined;) {
    const priorName = current.prior;
    const prior = backups.find((b) => b.name === priorName);
    const needs = `backup ${backup.name} (${backup.kind}) builds on ${priorName}`;
    if (!prior)
      return {
        ok: false,
        problem: `${needs}, which is not in ${where}: it cannot be restored without it`,
      };
    if (!prior.ok)
      return {
        ok: false,
        problem: `${needs}, which is damaged: it would restore damaged pages`,
      };
    if (chain.includes(prior))
      return { ok: false, problem: `${needs}, which builds on it again: the listing is broken` };
    chain.unshift(prior);
    current = prior;
  }
  return { ok: true, chain };
}
