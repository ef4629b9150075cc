/**
 * The status report as a colour-free table for a terminal: one block per host (its stores, the
 * recoverable window, its figures), then the stack's alarms in ALARM with their runbook sections.
 */
import { HOST_FIGURES } from "./hostMetrics";
import type { FigureStatus, StatusReport, StoreStatus } from "./report";

const UNITS = [
  ["d", 86_400],
  ["h", 3600],
  ["m", 60],
  ["s", 1],
] as const;

/** `93784` → `1d 2h`, `312` → `5m 12s`, `7200` → `2h`: the two largest units, for ages and limits. */
export function shortDuration(seconds: number): string {
  const sign = seconds < 0 ? "-" : "";
  const rest = Math.abs(Math.round(seconds));
  const i = UNITS.findIndex(([, size]) => rest >= size);
  if (i < 0) return "0s";
  const [unit, size] = UNITS[i];
  const n = Math.floor(rest / size);
  const next = UNITS[i + 1];
  const m = next ? Math.floor((rest - n * size) / next[1]) : 0;
  return `${sign}${n}${unit}${next && m > 0 ? ` ${m}${next[0]}` : ""}`;
}

/** `2026-12-07T20:45:03.512Z` → `2026-12-07 20:45:03Z`. */
function shortTime(iso: string): string {
  return iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
}

function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd(),
  );
}

function storeRow(s: StoreStatus): string[] {
  const verdict = s.late ? "LATE" : "ok";
  if (!s.newest)
    return [s.store, `(none under ${s.prefix})`, "-", "-", shortDuration(s.limitSeconds), verdict];
  return [
    s.store,
    s.newest.name,
    shortTime(s.newest.time),
    shortDuration(s.newest.ageSeconds),
    shortDuration(s.limitSeconds),
    verdict,
  ];
}

function figureValue(f: FigureStatus, value: number): string {
  return f.unit === "percent" ? `${Math.round(value * 10) / 10} %` : shortDuration(value);
}

function figureRow(f: FigureStatus): string[] {
  const title = HOST_FIGURES.find((h) => h.figure === f.figure)?.title ?? f.figure;
  const limit = f.limit === null ? "-" : figureValue(f, f.limit);
  if (f.value === null || f.at === null)
    return [title, `no data in the last ${shortDuration(f.lookbackSeconds)}`, "-", limit, ""];
  return [title, figureValue(f, f.value), shortTime(f.at), limit, f.over ? "OVER" : "ok"];
}

/** The whole report as lines of text (no colour, no trailing spaces), ending with a newline. */
export function statusTable(report: StatusReport): string {
  const lines = [
    `stack ${report.stack}  bucket s3://${report.bucket} (${report.region})  engine ${report.engine}  at ${shortTime(report.now)}`,
  ];
  for (const host of report.hosts) {
    lines.push("", `host ${host.host}`);
    lines.push(
      ...columns([
        ["store", "newest", "time", "age", "limit", ""],
        ...host.stores.map(storeRow),
      ]).map((l) => `  ${l}`),
    );
    const r = host.recoverable;
    lines.push(
      r.earliest === null
        ? "  recoverable: nothing (no PostgreSQL backup in the bucket)"
        : `  recoverable: ${shortTime(r.earliest)} to ${shortTime(r.latest ?? r.earliest)} (${r.backups} backup${r.backups === 1 ? "" : "s"})`,
    );
    lines.push(
      ...columns([["figure", "latest", "at", "limit", ""], ...host.figures.map(figureRow)]).map(
        (l) => `  ${l}`,
      ),
    );
  }
  lines.push("");
  if (report.alarms.length === 0) lines.push("alarms in ALARM: none");
  else {
    lines.push("alarms in ALARM:");
    for (const a of report.alarms)
      lines.push(
        `  ${a.name}${a.host ? ` (host ${a.host})` : ""}${a.since ? ` since ${shortTime(a.since)}` : ""}: ${a.runbook ?? "no runbook link"}`,
      );
  }
  lines.push("", report.ok ? "all well" : "NOT OK: see LATE, OVER and the alarms above");
  return `${lines.join("\n")}\n`;
}
