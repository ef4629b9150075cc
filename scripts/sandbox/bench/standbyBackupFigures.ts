/**
 * The standby-backup group's figures from one engine's measurements at one data size: the bytes
 * the engine read from the primary's data directory while it backed up from the standby, against
 * the database, with the standby's beside them, and the standby backup's time against a full
 * backup's from the primary. Goals hold for this project's engine only. Pure.
 */
import { engineBlockedFigure, engineFigure, type Figure } from "./figures";
import type { DirectoryReads } from "./straceReads";
import { formatMegabytes as mb, formatValue } from "./table";

/** Bounds in percent of the database. */
export const STANDBY_GOALS = {
  primaryReadShare: 1,
} as const;

/**
 * Below this share of the database read from the standby, the trace is taken to have missed the
 * engine's reads (a full backup reads every data file once), and no read figure is reported.
 */
export const TRACE_SANITY_SHARE = 0.5;

/** Primary files named in the read figure's note, largest first. */
const NAMED_FILES = 5;

/** What the trace of a backup from the standby recorded, or why there is none. */
export type StandbyReads =
  | {
      readonly measured: true;
      /** The engine's reads of files under the primary's data directory. */
      readonly primary: DirectoryReads;
      /** The engine's reads of files under the standby's data directory. */
      readonly standby: DirectoryReads;
    }
  | { readonly measured: false; readonly reason: string };

/** One engine's run at one pgbench scale. Seconds and bytes. */
export interface StandbyMeasurement {
  readonly engine: string;
  readonly scale: number;
  /** pg_database_size summed over the cluster before the backups. */
  readonly databaseBytes: number;
  /** A full backup read from the primary, until the engine reported it complete. */
  readonly primaryFullSeconds: number;
  /** A full backup read from the standby, until the WAL segment it ends in was archived. */
  readonly standbyFullSeconds: number;
  /** From a further full backup read from the standby, taken under the trace (untimed). */
  readonly reads: StandbyReads;
}

/**
 * Why a trace that saw `standbyBytes` read from the standby cannot back a figure: so small a share
 * of the database means it missed the engine's reads, and a zero for the primary would then pass
 * unearned. Undefined when the reads can be reported.
 */
export function implausibleTrace(standbyBytes: number, databaseBytes: number): string | undefined {
  const share = standbyBytes / databaseBytes;
  if (share >= TRACE_SANITY_SHARE) return undefined;
  return `not measured: the trace recorded ${formatValue(standbyBytes, "bytes")} read from the standby's data directory, ${(share * 100).toFixed(1)} % of the database: less than ${TRACE_SANITY_SHARE * 100} %, so it missed the engine's reads`;
}

/**
 * The group's figures for `m`: the primary's and the standby's read shares (%, the primary's held to
 * `STANDBY_GOALS` when `isProject`), the standby full's time over the primary full's (ratio), and
 * the primary's read bytes. When the reads are not measured, or the trace is implausible
 * (`implausibleTrace`), the two shares are blocked with the reason and the bytes figure is absent.
 */
export function standbyBackupFigures(m: StandbyMeasurement, isProject: boolean): Figure[] {
  const context = { engine: m.engine, scale: m.scale, at: `(${mb(m.databaseBytes)})`, isProject };
  const figure = engineFigure(context);
  const notMeasured = engineBlockedFigure(context);
  const size = (bytes: number) => formatValue(bytes, "bytes");
  const time = figure(
    "standbyOverPrimaryFullTime",
    "full backup from the standby time / full backup from the primary time",
    "ratio",
    m.standbyFullSeconds / m.primaryFullSeconds,
    [m.standbyFullSeconds, m.primaryFullSeconds],
    "single",
    undefined,
    `from the standby ${m.standbyFullSeconds.toFixed(2)} s (until the WAL segment it ends in was archived), from the primary ${m.primaryFullSeconds.toFixed(2)} s; each a full with an immediate checkpoint, untraced`,
  );
  const primaryTitle = "bytes the engine read from the primary during a backup from the standby";
  const standbyTitle = "bytes the engine read from the standby during that backup";
  const percent = (bytes: number) => (100 * bytes) / m.databaseBytes;
  const unmeasured = (reason: string): Figure[] => [
    notMeasured(
      "primaryReadShare",
      `${primaryTitle}, % of the database`,
      "%",
      reason,
      STANDBY_GOALS.primaryReadShare,
    ),
    notMeasured("standbyReadShare", `${standbyTitle}, % of the database`, "%", reason),
    time,
  ];
  const reads = m.reads;
  if (!reads.measured) return unmeasured(`not measured: ${reads.reason}`);
  const implausible = implausibleTrace(reads.standby.bytes, m.databaseBytes);
  if (implausible !== undefined) return unmeasured(implausible);
  const { primary, standby } = reads;
  const named = primary.files
    .slice(0, NAMED_FILES)
    .map((f) => `${f.path} ${f.bytes} B`)
    .join(", ");
  return [
    figure(
      "primaryReadShare",
      `${primaryTitle}, % of the database`,
      "%",
      percent(primary.bytes),
      [primary.bytes, m.databaseBytes],
      "single",
      STANDBY_GOALS.primaryReadShare,
      `${primary.bytes} bytes from ${primary.files.length} files under the primary's data directory${named ? ` (${named}${primary.files.length > NAMED_FILES ? ", ..." : ""})` : ""}, read by the engine's processes as strace recorded them; PostgreSQL's own reads on the primary (its checkpoint, pg_backup_start/stop, the WAL sender) are left out`,
    ),
    figure(
      "standbyReadShare",
      `${standbyTitle}, % of the database`,
      "%",
      percent(standby.bytes),
      [standby.bytes, m.databaseBytes],
      "single",
      undefined,
      `${size(standby.bytes)} from ${standby.files.length} files under the standby's data directory, against ${size(m.databaseBytes)} of database`,
    ),
    time,
    figure("primaryReadBytes", primaryTitle, "bytes", primary.bytes, [primary.bytes], "single"),
  ];
}
