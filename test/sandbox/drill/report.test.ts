/**
 * The human drill reports, as whole output: report.md and report.html rendered from one fixed
 * report (file snapshots: a diff in review is a diff in what people read), the page's promises
 * (self-contained, the chart, the figures against the targets), and a drill that stopped early.
 */
import { describe, expect, test } from "vitest";
import type { DrillReport } from "../../../scripts/sandbox/drill/report";
import { figureRows, runbookRows } from "../../../scripts/sandbox/drill/reportFacts";
import { reportHtml } from "../../../scripts/sandbox/drill/reportHtml";
import { reportMarkdown } from "../../../scripts/sandbox/drill/reportMarkdown";
import type { StepResult } from "../../../scripts/sandbox/drill/steps";
import { tickStep, timelineSvg } from "../../../scripts/sandbox/drill/timelineSvg";

const step = (name: string, startSeconds: number, seconds: number, detail = "ok"): StepResult => ({
  name,
  startSeconds,
  seconds,
  status: "ok",
  ok: true,
  detail,
});

const STEPS: StepResult[] = [
  step("synth the stack offline", 0, 9.5, "116 resources"),
  step("start the sandbox (moto, PostgreSQL, Redis)", 9.5, 4),
  step("install the host artifacts through the install document", 13.5, 15),
  step(
    "seed PostgreSQL check tables to 300 MiB",
    28.5,
    25,
    "anchors 1000 rows, corridors 3000 rows",
  ),
  step("seed Redis keys", 53.5, 0.1),
  step("PostgreSQL full backup through pg-backup", 53.6, 30, "backup 20261129-152532F"),
  step("Redis backup through its document (load running)", 83.6, 0.8),
  step("config backup through its document", 84.4, 0.5),
  step("steady writes to PostgreSQL and Redis for 80 s", 84.9, 79),
  step("disaster: PostgreSQL data directory, Redis dump and config files lost", 164, 1.5),
  step("PostgreSQL restore to latest through pg-restore (confirmed)", 165.5, 20),
  step("verify PostgreSQL by content and a write (end of RTO)", 185.5, 1),
  step("Redis restore through its document (confirmed)", 186.5, 1.2),
  step("config restore through its document (confirmed)", 187.7, 0.6),
  step("verify Redis by content", 188.3, 0.1),
  step("verify config files byte for byte", 188.4, 0.1),
  step("PostgreSQL restore to a point in time through pg-restore (confirmed)", 188.5, 22),
  step("verify the point-in-time restore by content", 210.5, 1),
];

const REPORT: DrillReport = {
  stack: "prod",
  startedAt: "2026-11-29T15:00:00.000Z",
  finishedAt: "2026-11-29T15:03:32.000Z",
  rpoSeconds: 20.5,
  rtoSeconds: 22.5,
  rowsExpected: 5400,
  rowsRestored: 5400,
  redisKeysExpected: 500,
  redisKeysRestored: 500,
  engine: { key: "pgbackrest", title: "pgBackRest", version: "2.45" },
  versions: { engine: "2.45", postgres: "15.10", redis: "7.0.15", node: "22.23.5" },
  targets: { rpoSeconds: 900, archiveTimeoutSeconds: 60, rpoBoundSeconds: 75, rtoSeconds: null },
  postgres: {
    database: "stellar_insights",
    scaleMb: 300,
    databaseBytes: 314_572_800,
    checkTableRows: { anchors: 1000, corridors: 3000 },
    backup: {
      name: "20261129-152532F",
      seconds: 30,
      readFrom: "standby",
      readFromNote:
        "read from the standby at /tmp/stellar-sandbox-x/standby/run:5433 (0.0 MiB behind the primary)",
    },
    load: { seconds: 80, writesAcknowledged: 3000, table: "drill_writes" },
    latest: {
      target: "latest",
      rowsExpected: 7000,
      rowsRestored: 6200,
      writesExpected: 3000,
      writesRestored: 2200,
      writesNotBack: 800,
      writesUndecided: 0,
      restoreSeconds: 20,
    },
    pointInTime: {
      target: "2026-11-29T15:02:00.123Z",
      targetChosen: "default: between writes 1099 and 1100",
      rowsExpected: 5400,
      rowsRestored: 5400,
      writesExpected: 1400,
      writesRestored: 1400,
      writesNotBack: 1600,
      writesUndecided: 0,
      restoreSeconds: 22,
    },
    disasterAtSeconds: 164,
    recoveredAtSeconds: 186.5,
  },
  redis: {
    keysExpected: 500,
    keysRestored: 500,
    rpoSeconds: 80.2,
    rtoSeconds: 1.2,
    writesAcknowledged: 3500,
    writesRestored: 20,
  },
  configs: { expected: 3, restored: 3, files: ["/etc/a", "/etc/b", "/etc/c"] },
  steps: STEPS,
  ok: true,
};

/** A drill that stopped at the full backup: nothing measured is shown as measured. */
const STOPPED: DrillReport = {
  ...REPORT,
  rpoSeconds: null,
  rtoSeconds: null,
  rowsExpected: null,
  rowsRestored: null,
  redisKeysExpected: null,
  redisKeysRestored: null,
  versions: null,
  engine: { ...REPORT.engine, version: null },
  postgres: null,
  redis: null,
  configs: null,
  steps: [
    ...STEPS.slice(0, 5),
    {
      ...STEPS[5],
      status: "failed",
      ok: false,
      detail: "pg-backup document exited 1: S3 unreachable",
    },
  ],
  ok: false,
  failure: "pg-backup document exited 1: S3 unreachable",
};

describe("report.md", () => {
  test("whole output", async () => {
    await expect(reportMarkdown(REPORT)).toMatchFileSnapshot("__snapshots__/report.md");
  });

  test("a drill that stopped: FAILED, the reason, nothing measured shown as measured", async () => {
    const md = reportMarkdown(STOPPED);
    await expect(md).toMatchFileSnapshot("__snapshots__/report-stopped.md");
    expect(md).toContain("**FAILED: 5 of 6 steps ok in 212.00 s.**");
    expect(md).toContain("The drill stopped: pg-backup document exited 1: S3 unreachable");
    expect(md).toContain(
      "| PostgreSQL RPO (newest acknowledged write lost) | — | ≤ 15 minutes (catalog: WAL RPO) | not measured |",
    );
    expect(md).not.toMatch(/\| met \|/);
  });
});

describe("report.html", () => {
  const html = reportHtml(REPORT);

  test("whole output", async () => {
    await expect(html).toMatchFileSnapshot("__snapshots__/report.html");
  });

  test("self-contained: inline style and SVG, no script, nothing fetched", () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain("<style>");
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    // The only URL is the SVG namespace, which is a name, not a fetch.
    expect(html.match(/https?:\/\/[^"\s<]+/g)).toEqual(["http://www.w3.org/2000/svg"]);
  });

  test("the chart: one bar per step, the disaster, the recovery and the RTO between them", () => {
    const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>"));
    expect(svg.match(/<rect /g)).toHaveLength(STEPS.length);
    expect(svg).toContain(">disaster</text>");
    expect(svg).toContain(">writable, verified</text>");
    expect(svg).toContain(">RTO 22.5 s</text>");
  });

  test("the headline figures against the stack's targets", () => {
    expect(html).toContain("PASSED: 18 of 18 steps ok in 212.00 s");
    expect(html).toContain(">20.50 s</div>");
    expect(html).toContain("≤ 75 s (archive_timeout 60 s + 15 s); catalog ≤ 15 minutes · met");
    expect(html).toContain(">22.50 s</div>");
    expect(html).toContain("no RTO target set · no target");
    expect(html).toContain(">5,400 of 5,400</div>");
    expect(html).toContain("pgBackRest 2.45; PostgreSQL 15.10; Redis 7.0.15; Node.js 22.23.5");
  });

  test("text from the report is escaped", () => {
    const hostile = reportHtml({ ...STOPPED, failure: "<b>&'\"" });
    expect(hostile).toContain("The drill stopped: &lt;b&gt;&amp;&#39;&quot;");
  });
});

describe("the facts both reports show", () => {
  test("an RPO past archive_timeout + margin is missed, though within the catalog's 15 minutes", () => {
    const rows = figureRows({ ...REPORT, rpoSeconds: 80 });
    expect(rows.slice(0, 2).map((r) => [r.figure, r.verdict])).toEqual([
      ["PostgreSQL RPO (newest acknowledged write lost)", "met"],
      ["PostgreSQL RPO within archive_timeout", "missed"],
    ]);
  });

  test("an RTO target from the stack is judged", () => {
    const rto = (rtoSeconds: number) =>
      figureRows({ ...REPORT, targets: { ...REPORT.targets!, rtoSeconds: 20 }, rtoSeconds }).find(
        (r) => r.figure.startsWith("PostgreSQL RTO"),
      );
    expect(rto(22.5)).toMatchObject({
      target: "≤ 20 seconds (thresholds.restoreTestRtoMinutes)",
      verdict: "missed",
    });
    expect(rto(19)).toMatchObject({ verdict: "met" });
  });

  test("the runbook's items: covered by the steps that passed, two left to people", () => {
    const rows = runbookRows(REPORT);
    expect(rows.filter((r) => r.covered === "for people").map((r) => r.text)).toEqual([
      "Schedule maintenance window",
      "Update procedures",
    ]);
    expect(rows.filter((r) => r.covered === "yes")).toHaveLength(11);
    const stopped = runbookRows(STOPPED);
    expect(stopped.find((r) => r.text === "Take final backup")?.covered).toBe("failed");
    expect(stopped.find((r) => r.text === "Execute restore procedures")?.covered).toBe(
      "not reached",
    );
    expect(stopped.find((r) => r.text === "Document results")?.covered).toBe("yes");
    expect(stopped.find((r) => r.text === "Complete DR drill")?.covered).toBe("failed");
  });
});

describe("timelineSvg", () => {
  test.each([
    [5, 0.5],
    [9, 1],
    [42, 5],
    [212, 50],
    [1000, 100],
  ])("ticks over %d s every %d s", (total, every) => {
    expect(tickStep(total)).toBe(every);
  });

  test("a failed step is red, and step names are escaped", () => {
    const svg = timelineSvg([{ ...STEPS[0], name: "a < b", status: "failed", ok: false }]);
    expect(svg).toContain('fill="#c62828"');
    expect(svg).toContain("1. a &lt; b");
  });
});
