/**
 * The dashboard body as whole output, and what it must show.
 */
import { expect, test } from "vitest";
import { dashboardBody, type DashboardInputs } from "../../../infra/content/aws/dashboardBody";
import { DEFAULT_THRESHOLDS } from "../../../infra/catalog";

const PROD: DashboardInputs = {
  stack: "prod",
  region: "us-east-1",
  metricNamespace: "StellarInsights/Backup",
  bucketName: "stellar-insights-backups",
  thresholds: DEFAULT_THRESHOLDS,
};

interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: {
    title?: string;
    metrics?: unknown[][];
    annotations?: { horizontal: { label: string; value: number }[] };
  };
}
const widgets = (inputs: DashboardInputs = PROD) =>
  (JSON.parse(dashboardBody(inputs)) as { widgets: Widget[] }).widgets;
const graph = (title: string, inputs?: DashboardInputs) => {
  const found = widgets(inputs).filter((w) => w.properties.title?.startsWith(title));
  expect(found, title).toHaveLength(1);
  return found[0].properties;
};

test("the prod dashboard, as a whole", async () => {
  await expect(`${dashboardBody(PROD)}\n`).toMatchFileSnapshot(
    "__snapshots__/dashboardBody.prod.json",
  );
});

test("a header and 11 graphs, two per row, none overlapping", () => {
  const all = widgets();
  expect(all.map((w) => w.type)).toEqual(["text", ...Array(11).fill("metric")]);
  const cells = new Set<string>();
  for (const w of all) {
    expect(w.x + w.width).toBeLessThanOrEqual(24);
    for (let x = w.x; x < w.x + w.width; x++) {
      for (let y = w.y; y < w.y + w.height; y++) {
        const cell = `${x},${y}`;
        expect(cells.has(cell), `overlap at ${cell}`).toBe(false);
        cells.add(cell);
      }
    }
  }
});

test("each aged row's backup age is drawn in hours against its RPO", () => {
  expect(graph("Backup age vs RPO: postgres").annotations).toEqual({
    horizontal: [{ label: "RPO 1 day", value: 24 }],
  });
  expect(graph("Backup age vs RPO: redis").annotations).toEqual({
    horizontal: [{ label: "RPO 1 hour", value: 1 }],
  });
  // One line per host: a search over exactly the metric's dimensions, in hours.
  expect(graph("Backup age vs RPO: logs").metrics).toEqual([
    [
      {
        expression: `SEARCH('{"StellarInsights/Backup",BackupType,Host} MetricName="BackupAgeSeconds" BackupType="logs"', 'Maximum', 300) / 3600`,
        id: "hours",
        label: "${PROP('Dim.Host')}",
      },
    ],
  ]);
});

test("an earlier paging limit for the full backup is drawn too", () => {
  const tighter = { ...PROD, thresholds: { ...DEFAULT_THRESHOLDS, backupAgeHours: 20 } };
  expect(graph("Backup age vs RPO: postgres", tighter).annotations).toEqual({
    horizontal: [
      { label: "RPO 1 day", value: 24 },
      { label: "pages above 20 hours", value: 20 },
    ],
  });
});

test("thresholds are the lines on the WAL lag, disk use and restore-test graphs", () => {
  expect(graph("WAL archive lag").annotations).toEqual({
    horizontal: [{ label: "pages above 15 minutes (RPO 15 minutes)", value: 900 }],
  });
  expect(graph("Local backup disk use").annotations).toEqual({
    horizontal: [{ label: "pages above 80 %", value: 80 }],
  });
  expect(graph("Restore test").annotations).toBeUndefined();
  const withRto = { ...PROD, thresholds: { ...DEFAULT_THRESHOLDS, restoreTestRtoMinutes: 45 } };
  expect(graph("Restore test", withRto).annotations).toEqual({
    horizontal: [{ label: "RTO 45 minutes", value: 2700 }],
  });
});

const expressions = (title: string) =>
  graph(title).metrics!.map((m) => (m[0] as { expression: string }).expression);

test("durations and failures per shipped job and host, bytes per row and host, and the bucket's size from S3's own metric", () => {
  const shippedJobs = [
    "pg-backup",
    "pg-verify",
    "pg-restore-test",
    "redis-backup",
    "config-backup",
    "logs-ship",
    "cleanup",
    "health-check",
  ];
  const perJob = (metric: string, stat: string) =>
    shippedJobs.map(
      (job) =>
        `SEARCH('{"StellarInsights/Backup",Host,Job} MetricName="${metric}" Job="${job}"', '${stat}', 3600)`,
    );
  expect(expressions("Job duration")).toEqual(perJob("JobDurationSeconds", "Maximum"));
  expect(expressions("Failed job runs")).toEqual(perJob("JobFailed", "Sum"));
  expect(graph("Failed job runs").metrics![0][0]).toMatchObject({
    label: "pg-backup on ${PROP('Dim.Host')}",
  });
  expect(expressions("Bytes written")).toEqual(
    ["postgres", "configs", "logs", "redis"].map(
      (row) =>
        `SEARCH('{"StellarInsights/Backup",BackupType,Host} MetricName="BackupBytes" BackupType="${row}"', 'Sum', 3600)`,
    ),
  );
  expect(expressions("Local backup disk use")).toEqual([
    `SEARCH('{"StellarInsights/Backup",Host,Job} MetricName="BackupDiskUsagePercent" Job="health-check"', 'Maximum', 300)`,
  ]);
  expect(graph("Bucket size").metrics).toEqual([
    [
      "AWS/S3",
      "BucketSizeBytes",
      "BucketName",
      "stellar-insights-backups",
      "StorageType",
      "StandardStorage",
      { label: "Standard" },
    ],
  ]);
});

test("deterministic: the same inputs give the same bytes", () => {
  expect(dashboardBody({ ...PROD })).toBe(dashboardBody(PROD));
});
