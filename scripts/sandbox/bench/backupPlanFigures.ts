/**
 * The backup-plans group's figures from one engine's measurements at one data size: a
 * differential's time against the full's, the bytes it stores against the bytes that changed, a
 * 30-day window's storage under the runbook's plan and the recommended one, and a restore from the
 * end of a chain of differentials against a restore of the full alone. Goals hold for this
 * project's engine only. Pure.
 */
import { RUNBOOK_BACKUP_PLAN, type BackupPlan } from "../../../infra/catalog/backupPlan";
import { engineFigure, type Figure, type Unit } from "./figures";
import { formatMegabytes as mb, formatValue } from "./table";
import { STORAGE_WINDOW_DAYS, windowStorage } from "./storageModel";

export const PLAN_GOALS = {
  differentialOverFullTime: 0.15,
  recommendedOverRunbookStorage: 0.25,
  chainRestoreOverFullRestore: 1.2,
} as const;

/** The plan the figures recommend: a weekly full and a differential on every other daily run. */
export const RECOMMENDED_BACKUP_PLAN: BackupPlan = {
  fullEveryDays: 7,
  betweenFulls: "differential",
};

/**
 * Differentials on one full in the restore figure: a week under the recommended plan (the full's
 * day, then six daily differentials on it).
 */
export const CHAIN_DIFFERENTIALS = 6;

/** One engine's run at one pgbench scale. Seconds and bytes; stored bytes as the engine lists them. */
export interface PlanMeasurement {
  readonly engine: string;
  readonly scale: number;
  /** pg_database_size summed over the cluster before the full. */
  readonly databaseBytes: number;
  readonly fullSeconds: number;
  readonly fullStoredBytes: number;
  /** The first differential on the full, after one rewrite. */
  readonly differentialSeconds: number;
  readonly differentialStoredBytes: number;
  /** Pages of the database's files that differ after that rewrite, × 8 KiB. */
  readonly changedBytes: number;
  /** Stored bytes of every differential of the chain, oldest first (the first one included). */
  readonly chainStoredBytes: readonly number[];
  /** Restores to a promoted cluster that took a write: the full alone, the chain's newest. */
  readonly fullRestoreSeconds: number;
  readonly chainRestoreSeconds: number;
}

export function backupPlanFigures(m: PlanMeasurement, isProject: boolean): Figure[] {
  const at = `(${mb(m.databaseBytes)})`;
  // Backups of the small scales store a few MB: one decimal keeps them apart.
  const size = (bytes: number) => formatValue(bytes, "bytes");
  const figure = engineFigure({ engine: m.engine, scale: m.scale, at, isProject });
  const one = (
    name: string,
    title: string,
    unit: Unit,
    value: number,
    samples: readonly number[],
    goal?: number,
    note?: string,
  ) => figure(name, title, unit, value, samples, "single", goal, note);
  const runbook = windowStorage(
    RUNBOOK_BACKUP_PLAN,
    STORAGE_WINDOW_DAYS,
    m.fullStoredBytes,
    m.differentialStoredBytes,
  );
  const recommended = windowStorage(
    RECOMMENDED_BACKUP_PLAN,
    STORAGE_WINDOW_DAYS,
    m.fullStoredBytes,
    m.differentialStoredBytes,
  );
  const model = (name: string, w: typeof runbook) =>
    `${name}: ${w.fulls} fulls x ${size(m.fullStoredBytes)} + ${w.betweenFulls} differentials x ${size(m.differentialStoredBytes)} (the first differential's stored bytes) = ${size(w.bytes)}`;
  return [
    one(
      "differentialOverFullTime",
      "differential backup time / full backup time",
      "ratio",
      m.differentialSeconds / m.fullSeconds,
      [m.differentialSeconds, m.fullSeconds],
      PLAN_GOALS.differentialOverFullTime,
      `differential ${m.differentialSeconds.toFixed(2)} s after one rewrite, full ${m.fullSeconds.toFixed(2)} s`,
    ),
    one(
      "differentialStoredOverChanged",
      "bytes the differential stored / changed bytes",
      "ratio",
      m.differentialStoredBytes / m.changedBytes,
      [m.differentialStoredBytes, m.changedBytes],
      undefined,
      `stored ${size(m.differentialStoredBytes)} (the engine's own count, compressed); changed ${size(m.changedBytes)} (pages of the database's files that differ, x 8 KiB)`,
    ),
    one(
      "storage30.runbookOverFull",
      `${STORAGE_WINDOW_DAYS}-day storage, runbook plan (a daily full) / one full`,
      "ratio",
      runbook.bytes / m.fullStoredBytes,
      [runbook.bytes, m.fullStoredBytes],
      undefined,
      model("runbook", runbook),
    ),
    one(
      "storage30.recommendedOverFull",
      `${STORAGE_WINDOW_DAYS}-day storage, weekly full + daily differential / one full`,
      "ratio",
      recommended.bytes / m.fullStoredBytes,
      [recommended.bytes, m.fullStoredBytes],
      undefined,
      model("recommended", recommended),
    ),
    one(
      "storage30.recommendedOverRunbook",
      `${STORAGE_WINDOW_DAYS}-day storage, recommended / runbook plan`,
      "ratio",
      recommended.bytes / runbook.bytes,
      [recommended.bytes, runbook.bytes],
      PLAN_GOALS.recommendedOverRunbookStorage,
    ),
    one(
      "chainRestoreOverFullRestore",
      `restore from the end of ${m.chainStoredBytes.length} differentials / of the full`,
      "ratio",
      m.chainRestoreSeconds / m.fullRestoreSeconds,
      [m.chainRestoreSeconds, m.fullRestoreSeconds],
      PLAN_GOALS.chainRestoreOverFullRestore,
      `chain ${m.chainRestoreSeconds.toFixed(2)} s, full alone ${m.fullRestoreSeconds.toFixed(2)} s; each to its backup's consistency point, promoted, until it took a write; the chain's differentials stored ${m.chainStoredBytes.map(size).join(", ")}`,
    ),
    one("changedBytes", "changed bytes after one rewrite", "bytes", m.changedBytes, [
      m.changedBytes,
    ]),
    one(
      "differentialStoredBytes",
      "bytes the differential stored",
      "bytes",
      m.differentialStoredBytes,
      [m.differentialStoredBytes],
    ),
    one("fullStoredBytes", "bytes the full stored", "bytes", m.fullStoredBytes, [
      m.fullStoredBytes,
    ]),
  ];
}
