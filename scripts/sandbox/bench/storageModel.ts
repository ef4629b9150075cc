/**
 * Bytes a repository holds for a window of daily backup runs under a backup plan, from one
 * measured full and one measured backup between fulls. Pure.
 *
 * The model: every daily run stores one backup and the window keeps all of them; runs 1,
 * 1 + fullEveryDays, … take a full (⌈days ÷ fullEveryDays⌉ fulls), every other run stores what the
 * measured between-fulls backup stored. WAL is left out: the same stream is archived under any
 * plan.
 */
import type { BackupPlan } from "../../../infra/catalog/backupPlan";

/** The window the storage figures model, days (the runbook's retention). */
export const STORAGE_WINDOW_DAYS = 30;

export interface WindowStorage {
  readonly fulls: number;
  readonly betweenFulls: number;
  /** fulls × fullBytes + betweenFulls × betweenBytes, bytes. */
  readonly bytes: number;
}

/**
 * Storage for `days` daily runs under `plan`; `fullBytes` and `betweenBytes` are bytes one full
 * and one between-fulls backup store in the repository.
 */
export function windowStorage(
  plan: BackupPlan,
  days: number,
  fullBytes: number,
  betweenBytes: number,
): WindowStorage {
  if (!Number.isInteger(days) || days < 1)
    throw new Error(`a storage window of ${days} days is not a whole number of days >= 1`);
  if (!Number.isInteger(plan.fullEveryDays) || plan.fullEveryDays < 1)
    throw new Error(`a full every ${plan.fullEveryDays} days is not a whole number of days >= 1`);
  const everyRunFull = plan.betweenFulls === undefined || plan.fullEveryDays === 1;
  const fulls = everyRunFull ? days : Math.ceil(days / plan.fullEveryDays);
  const betweenFulls = days - fulls;
  return { fulls, betweenFulls, bytes: fulls * fullBytes + betweenFulls * betweenBytes };
}
