/** `out/drill/report.md`: the drill report as Markdown, a pure function of the report. */
import type { DrillReport } from "./report";
import {
  backupSourceLine,
  count,
  figureRows,
  headline,
  restoredRows,
  runbookRows,
  seconds,
  versionsLine,
} from "./reportFacts";

const RESULT = { ok: "ok", failed: "FAILED" } as const;

/** A table cell: no line breaks, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ];
}

export function reportMarkdown(report: DrillReport): string {
  const pg = report.postgres;
  const lines = [
    `# DR drill report: stack ${report.stack}, ${report.startedAt}`,
    "",
    `**${headline(report)}.** ${versionsLine(report)}.`,
    "",
  ];
  if (report.failure) lines.push(`The drill stopped: ${report.failure}`, "");
  if (pg)
    lines.push(
      `${backupSourceLine(report, pg)}. PostgreSQL lost ${count(pg.latest.writesNotBack, pg.load.writesAcknowledged)} acknowledged writes (RPO ${seconds(report.rpoSeconds)}) and was writable and verified ${seconds(report.rtoSeconds)} after the disaster (RTO). The point-in-time restore to ${pg.pointInTime.target} brought back ${count(report.rowsRestored, report.rowsExpected)} rows expected.`,
      "",
    );
  lines.push(
    "## Figures against the stack's targets",
    "",
    ...table(
      ["Figure", "Measured", "Target", "Verdict"],
      figureRows(report).map((r) => [r.figure, r.measured, r.target, r.verdict]),
    ),
    "",
    "## What was restored and how it was checked",
    "",
    ...table(
      ["Store", "Restored", "How it was checked"],
      restoredRows(report).map((r) => [r.store, r.restored, r.checked]),
    ),
    "",
    "## Timeline",
    "",
    ...table(
      ["#", "Step", "Start (s)", "Seconds", "Result", "Detail"],
      report.steps.map((s, i) => [
        String(i + 1),
        s.name,
        s.startSeconds.toFixed(1),
        s.seconds.toFixed(2),
        RESULT[s.status],
        s.detail,
      ]),
    ),
    "",
    "## Runbook coverage (Disaster Recovery Testing, Quarterly DR Drill; Backup Checklist, Quarterly)",
    "",
    ...table(
      ["Item", "Runbook", "Covered", "How"],
      runbookRows(report).map((r) => [r.item, r.text, r.covered, r.how]),
    ),
    "",
  );
  return `${lines.join("\n")}\n`.replace(/\n{3,}/g, "\n\n");
}
