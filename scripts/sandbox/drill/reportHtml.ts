/**
 * `out/drill/report.html`: the drill report as one self-contained page (inline CSS and SVG, no
 * script, no network), readable at a glance: the verdict and the four headline figures first, then
 * the timeline chart, the figures against the stack's targets, what was restored and how it was
 * checked, the runbook items covered, and every step. A pure function of the report.
 */
import type { DrillReport } from "./report";
import { describeSeconds } from "../../../infra/catalog";
import {
  backupSourceLine,
  count,
  figureRows,
  headline,
  RPO_MARGIN_SECONDS,
  restoredRows,
  runbookRows,
  seconds,
  versionsLine,
  worse,
  type Verdict,
} from "./reportFacts";
import { escapeXml as esc, timelineSvg } from "./timelineSvg";

const CSS = `
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1120px; color: #222; line-height: 1.4; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.banner { padding: 10px 14px; border-radius: 6px; font-size: 18px; font-weight: 600; margin: 12px 0; }
.pass { background: #e8f5e9; color: #1b5e20; border: 1px solid #a5d6a7; } .fail { background: #ffebee; color: #b71c1c; border: 1px solid #ef9a9a; }
.sub { color: #555; font-size: 14px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 12px 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px; }
.card .label { font-size: 13px; color: #555; } .card .value { font-size: 24px; white-space: nowrap; font-weight: 700; margin: 2px 0; } .card .target { font-size: 12px; color: #555; }
table { border-collapse: collapse; width: 100%; font-size: 13px; } th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f5f5f5; } td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.v-met, .s-ok, .c-yes { color: #1b5e20; font-weight: 600; } .v-missed, .s-failed, .c-failed { color: #b71c1c; font-weight: 600; }
.v-no-target, .v-not-measured, .c-for-people, .c-not-reached { color: #666; }
`;

function verdictClass(verdict: Verdict): string {
  return `v-${verdict.replace(/ /g, "-")}`;
}

function rowsTable(head: readonly string[], rows: readonly string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.join("")}</tr>`)
    .join("\n")}</tbody></table>`;
}

const td = (text: string, cls?: string) => `<td${cls ? ` class="${cls}"` : ""}>${esc(text)}</td>`;

function card(label: string, value: string, target: string, verdict: Verdict): string {
  return `<div class="card"><div class="label">${esc(label)}</div><div class="value ${verdictClass(verdict)}">${esc(value)}</div><div class="target">${esc(target)} · ${esc(verdict)}</div></div>`;
}

export function reportHtml(report: DrillReport): string {
  const figures = figureRows(report);
  const pg = report.postgres;
  const verdictOf = (prefix: string): Verdict =>
    figures.find((f) => f.figure.startsWith(prefix))?.verdict ?? "not measured";
  const t = report.targets;
  const redisAndConfigs = worse(verdictOf("Redis keys"), verdictOf("Config files"));
  const cards = [
    card(
      "PostgreSQL RPO",
      seconds(report.rpoSeconds),
      t
        ? `≤ ${t.rpoBoundSeconds} s (archive_timeout ${t.archiveTimeoutSeconds} s + ${RPO_MARGIN_SECONDS} s); catalog ≤ ${describeSeconds(t.rpoSeconds)}`
        : "target not read",
      worse(verdictOf("PostgreSQL RPO ("), verdictOf("PostgreSQL RPO within")),
    ),
    card(
      "PostgreSQL RTO",
      seconds(report.rtoSeconds),
      t?.rtoSeconds ? `≤ ${describeSeconds(t.rtoSeconds)}` : "no RTO target set",
      verdictOf("PostgreSQL RTO"),
    ),
    card(
      "Rows back, point in time",
      count(report.rowsRestored, report.rowsExpected),
      "all committed by the target, none after",
      verdictOf("PostgreSQL rows back"),
    ),
    card(
      "Redis keys · config files",
      `${count(report.redisKeysRestored, report.redisKeysExpected).replace(" of ", "/")} · ${count(report.configs?.restored, report.configs?.expected).replace(" of ", "/")}`,
      "all, by value and byte for byte",
      redisAndConfigs,
    ),
  ];
  const summary = pg
    ? `<p>${esc(backupSourceLine(report, pg))}. PostgreSQL lost ${count(pg.latest.writesNotBack, pg.load.writesAcknowledged)} acknowledged writes (RPO ${esc(seconds(report.rpoSeconds))}) and was writable and verified ${esc(seconds(report.rtoSeconds))} after the disaster. The point-in-time restore to ${esc(pg.pointInTime.target)} brought back ${esc(count(report.rowsRestored, report.rowsExpected))} rows expected.</p>`
    : "";
  const body = [
    `<h1>DR drill report: stack ${esc(report.stack)}</h1>`,
    `<div class="sub">${esc(report.startedAt)} to ${esc(report.finishedAt)} · ${esc(versionsLine(report))}</div>`,
    `<div class="banner ${report.ok ? "pass" : "fail"}">${esc(headline(report))}</div>`,
    report.failure ? `<p class="v-missed">The drill stopped: ${esc(report.failure)}</p>` : "",
    `<div class="cards">${cards.join("")}</div>`,
    summary,
    "<h2>Timeline</h2>",
    `<div class="sub">One bar per step (green passed, red failed), seconds since the drill started; dashed lines: the disaster, and PostgreSQL writable with its content verified (the RTO between them).</div>`,
    timelineSvg(
      report.steps,
      pg
        ? { disasterAtSeconds: pg.disasterAtSeconds, recoveredAtSeconds: pg.recoveredAtSeconds }
        : {},
    ),
    "<h2>Figures against the stack's targets</h2>",
    rowsTable(
      ["Figure", "Measured", "Target", "Verdict"],
      figures.map((f) => [
        td(f.figure),
        td(f.measured, "num"),
        td(f.target),
        td(f.verdict, verdictClass(f.verdict)),
      ]),
    ),
    "<h2>What was restored and how it was checked</h2>",
    rowsTable(
      ["Store", "Restored", "How it was checked"],
      restoredRows(report).map((r) => [td(r.store), td(r.restored), td(r.checked)]),
    ),
    "<h2>Runbook coverage</h2>",
    `<div class="sub">Disaster Recovery Testing → Quarterly DR Drill, and the Backup Checklist's quarterly line</div>`,
    rowsTable(
      ["Item", "Runbook", "Covered", "How"],
      runbookRows(report).map((r) => [
        td(r.item),
        td(r.text),
        td(r.covered, `c-${r.covered.replace(/ /g, "-")}`),
        td(r.how),
      ]),
    ),
    "<h2>Steps</h2>",
    rowsTable(
      ["#", "Step", "Start", "Seconds", "Result", "Detail"],
      report.steps.map((s, i) => [
        td(String(i + 1), "num"),
        td(s.name),
        td(`${s.startSeconds.toFixed(1)} s`, "num"),
        td(s.seconds.toFixed(2), "num"),
        td(s.status === "ok" ? "ok" : "FAILED", `s-${s.status}`),
        td(s.detail),
      ]),
    ),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>DR drill report: stack ${esc(report.stack)} (${report.ok ? "passed" : "FAILED"})</title>
<style>${CSS}</style>
</head>
<body>
${body.filter((b) => b !== "").join("\n")}
</body>
</html>
`;
}
