/**
 * What the human drill reports say, decided once for both renderings (reportMarkdown.ts,
 * reportHtml.ts): each figure against the stack's target with a verdict, what was restored and how
 * it was checked, and which items of the runbook's "Disaster Recovery Testing" section and
 * quarterly checklist the drill covers. Pure functions of the report.
 */
import { BACKUP_TYPES, describeSeconds } from "../../../infra/catalog";
import { formatBytes } from "../../lib/job/format";
import type { DrillReport, PostgresDrill } from "./report";

/**
 * The RPO bound's allowance over archive_timeout: PostgreSQL switches a partly filled segment at
 * archive_timeout (checked about once a second by the checkpointer), then archive_command must push
 * it; a segment takes a few seconds to reach the bucket here, 15 s leaves room on a busy machine.
 */
export const RPO_MARGIN_SECONDS = 15;

export type Verdict = "met" | "missed" | "no target" | "not measured";

export interface FigureRow {
  readonly figure: string;
  readonly measured: string;
  readonly target: string;
  readonly verdict: Verdict;
}

/** `12.34 s`, or `—` when not measured. */
export function seconds(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${value.toFixed(2)} s`;
}

function within(value: number | null | undefined, limit: number): Verdict {
  if (value === null || value === undefined) return "not measured";
  return value <= limit ? "met" : "missed";
}

function allOf(restored: number | null | undefined, expected: number | null | undefined): Verdict {
  if (restored === null || restored === undefined || expected === null || expected === undefined)
    return "not measured";
  return restored === expected ? "met" : "missed";
}

/** `1,234`: thousands separated, whatever the machine's locale. */
export function whole(n: number): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

/** `1,234 of 1,300`, or `—` when not measured. */
export function count(
  restored: number | null | undefined,
  expected: number | null | undefined,
): string {
  return restored === null || restored === undefined || expected === null || expected === undefined
    ? "—"
    : `${whole(restored)} of ${whole(expected)}`;
}

/** The worse of two verdicts (missed over met; not measured over both). */
export function worse(a: Verdict, b: Verdict): Verdict {
  const order: readonly Verdict[] = ["not measured", "missed", "no target", "met"];
  return order[Math.min(order.indexOf(a), order.indexOf(b))];
}

/** Each measured figure against its target, PostgreSQL first. */
export function figureRows(report: DrillReport): FigureRow[] {
  const t = report.targets;
  const pg = report.postgres;
  const rows: FigureRow[] = [];
  if (t) {
    rows.push({
      figure: "PostgreSQL RPO (newest acknowledged write lost)",
      measured: seconds(report.rpoSeconds),
      target: `≤ ${describeSeconds(t.rpoSeconds)} (catalog: WAL RPO)`,
      verdict: within(report.rpoSeconds, t.rpoSeconds),
    });
    rows.push({
      figure: "PostgreSQL RPO within archive_timeout",
      measured: seconds(report.rpoSeconds),
      target: `≤ ${t.rpoBoundSeconds} s (archive_timeout ${t.archiveTimeoutSeconds} s + ${RPO_MARGIN_SECONDS} s to push)`,
      verdict: within(report.rpoSeconds, t.rpoBoundSeconds),
    });
    rows.push({
      figure: "PostgreSQL RTO (disaster → writable, verified)",
      measured: seconds(report.rtoSeconds),
      target:
        t.rtoSeconds === null
          ? "none set (the runbook names no RTO; stack key thresholds.restoreTestRtoMinutes)"
          : `≤ ${describeSeconds(t.rtoSeconds)} (thresholds.restoreTestRtoMinutes)`,
      verdict:
        report.rtoSeconds === null
          ? "not measured"
          : t.rtoSeconds === null
            ? "no target"
            : within(report.rtoSeconds, t.rtoSeconds),
    });
  }
  rows.push({
    figure: `PostgreSQL rows back, point in time${pg ? ` ${pg.pointInTime.target}` : ""}`,
    measured: count(report.rowsRestored, report.rowsExpected),
    target: "every row committed by the target, none after",
    verdict: allOf(report.rowsRestored, report.rowsExpected),
  });
  if (pg)
    rows.push({
      figure: "PostgreSQL acknowledged writes back, latest",
      measured: count(pg.latest.writesRestored, pg.latest.writesExpected),
      target: "all but those the RPO allows",
      verdict: within(report.rpoSeconds, t?.rpoBoundSeconds ?? Infinity),
    });
  rows.push({
    figure: "Redis keys written before its backup, back with their values",
    measured: count(report.redisKeysRestored, report.redisKeysExpected),
    target: "all",
    verdict: allOf(report.redisKeysRestored, report.redisKeysExpected),
  });
  rows.push({
    figure: "Redis RPO (newest write lost)",
    measured: seconds(report.redis?.rpoSeconds),
    target: `≤ ${describeSeconds(BACKUP_TYPES.redis.rpoSeconds)} (catalog: Redis RDB RPO)`,
    verdict: within(report.redis?.rpoSeconds, BACKUP_TYPES.redis.rpoSeconds),
  });
  rows.push({
    figure: "Config files byte-equal",
    measured: count(report.configs?.restored, report.configs?.expected),
    target: "all",
    verdict: allOf(report.configs?.restored, report.configs?.expected),
  });
  return rows;
}

export interface RestoredRow {
  readonly store: string;
  readonly restored: string;
  readonly checked: string;
}

/** What each store got back and how the drill knows it is right. */
export function restoredRows(report: DrillReport): RestoredRow[] {
  if (!report.postgres && !report.redis && !report.configs)
    return [
      {
        store: "nothing",
        restored: "the drill stopped before its restores were checked",
        checked: "see the failed step",
      },
    ];
  const rows: RestoredRow[] = [];
  const pg = report.postgres;
  if (pg) {
    const tables = Object.entries(pg.checkTableRows)
      .map(([t, n]) => `${t} (${whole(n)} rows)`)
      .join(", ");
    rows.push({
      store: `PostgreSQL, latest (${report.engine.title} backup ${pg.backup.name} read from the ${pg.backup.readFrom} + archived WAL)`,
      restored: `${pg.database}: ${tables}, ${formatBytes(pg.databaseBytes)}; ${count(pg.latest.writesRestored, pg.load.writesAcknowledged)} acknowledged writes to ${pg.load.table}`,
      checked:
        "every check-table row against the rule its id determines; the restored writes are exactly the first ones acknowledged, with their values; then one write committed",
    });
    rows.push({
      store: `PostgreSQL, point in time ${pg.pointInTime.target}`,
      restored: `the same tables; ${whole(pg.pointInTime.writesRestored)} writes (${pg.pointInTime.targetChosen})`,
      checked: `every write acknowledged before the target is back with its value, none of the ${whole(pg.load.writesAcknowledged - pg.pointInTime.writesRestored - pg.pointInTime.writesUndecided)} sent after it${pg.pointInTime.writesUndecided ? `; ${pg.pointInTime.writesUndecided} in flight at the target not judged` : ""}`,
    });
  }
  if (report.redis)
    rows.push({
      store: "Redis (RDB dump through redis-restore)",
      restored: `${whole(report.redis.keysRestored)} keys written before the backup; ${count(report.redis.writesRestored, report.redis.writesAcknowledged)} load writes`,
      checked: "each key's value compared; the load writes back are a prefix of those acknowledged",
    });
  if (report.configs)
    rows.push({
      store: "Configuration (app set through config-restore)",
      restored: `${report.configs.restored} of ${report.configs.expected} files`,
      checked: "byte for byte against the files before the disaster",
    });
  return rows;
}

export interface RunbookRow {
  /** Where in the runbook: "Quarterly DR Drill, procedure 2". */
  readonly item: string;
  readonly text: string;
  /** `not reached`: the drill stopped before the steps that cover it. */
  readonly covered: "yes" | "failed" | "not reached" | "for people";
  readonly how: string;
}

/** The runbook's "Disaster Recovery Testing" items and the quarterly checklist's drill line. */
export function runbookRows(report: DrillReport): RunbookRow[] {
  type Covered = RunbookRow["covered"];
  const by = (stepPrefix: string): Covered => {
    const steps = report.steps.filter((s) => s.name.startsWith(stepPrefix));
    if (steps.some((s) => s.status === "failed")) return "failed";
    return steps.length > 0 && steps.every((s) => s.status === "ok") ? "yes" : "not reached";
  };
  const measured: Covered = report.rtoSeconds !== null ? "yes" : "not reached";
  const all: Covered = report.ok ? "yes" : "failed";
  return [
    {
      item: "Objective 1",
      text: "Verify backup integrity",
      covered: by("verify"),
      how: "the backups were restored and every restored row, key and file checked by content",
    },
    {
      item: "Objective 2",
      text: "Test restore procedures",
      covered: by("PostgreSQL restore"),
      how: "through the restore documents the stack ships, confirmed, as on-call runs them (docs/runbook/restores.md)",
    },
    {
      item: "Objective 3",
      text: "Measure recovery time",
      covered: measured,
      how: "RTO from the disaster to a writable, verified database; RPO from the writes lost",
    },
    {
      item: "Objective 4",
      text: "Validate documentation",
      covered: all,
      how: "the documents and parameters the restores runbook tells on-call to use are the ones that ran",
    },
    {
      item: "Procedure 1",
      text: "Schedule maintenance window",
      covered: "for people",
      how: "the drill runs on a local sandbox and needs no window",
    },
    {
      item: "Procedure 2",
      text: "Take final backup",
      covered: by("PostgreSQL full backup"),
      how: "pg-backup, redis-backup and config-backup through their documents",
    },
    {
      item: "Procedure 3",
      text: "Simulate disaster (delete data)",
      covered: by("disaster"),
      how: "PostgreSQL killed and its data directory deleted, Redis killed and its dump deleted, config files deleted and truncated",
    },
    {
      item: "Procedure 4",
      text: "Execute restore procedures",
      covered: by("PostgreSQL restore"),
      how: "pg-restore (latest, then a point in time), redis-restore, config-restore",
    },
    {
      item: "Procedure 5",
      text: "Verify data integrity",
      covered: by("verify"),
      how: "by content, not by counts alone (see above)",
    },
    {
      item: "Procedure 6",
      text: "Measure time to recovery",
      covered: measured,
      how: "RTO and per-step times in this report",
    },
    {
      item: "Procedure 7",
      text: "Document results",
      covered: "yes",
      how: "this report (report.md, report.html) and report.json",
    },
    {
      item: "Procedure 8",
      text: "Update procedures",
      covered: "for people",
      how: "read the missed targets and failed steps above and change the runbook or the stack",
    },
    { item: "Quarterly checklist", text: "Complete DR drill", covered: all, how: "this run" },
  ];
}

/**
 * Where the full backup was read, in pg-backup's words: `pg-backup took pgBackRest backup
 * 20261129-152532F, read from the standby at /tmp/…/standby/run:5433 (0.0 MiB behind the
 * primary)`.
 */
export function backupSourceLine(report: DrillReport, pg: PostgresDrill): string {
  return `pg-backup took ${report.engine.title} backup ${pg.backup.name}, ${pg.backup.readFromNote}`;
}

/** The headline: passed or failed, steps, wall time. */
export function headline(report: DrillReport): string {
  const ok = report.steps.filter((s) => s.status === "ok").length;
  const wall = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  return `${report.ok ? "PASSED" : "FAILED"}: ${ok} of ${report.steps.length} steps ok in ${seconds(wall)}`;
}

/** The engine and the versions, one line. */
export function versionsLine(report: DrillReport): string {
  const v = report.versions;
  const engine = `${report.engine.title} ${report.engine.version ?? "(version not read)"}`;
  return v ? `${engine}; PostgreSQL ${v.postgres}; Redis ${v.redis}; Node.js ${v.node}` : engine;
}
