/**
 * The backup dashboard's body, derived from the catalog: each row's backup age against its RPO,
 * job durations, bytes written, WAL archive lag, disk use, the restore test's time to a queryable
 * database, job failures and the bucket's size. Pure and deterministic (sorted keys).
 *
 * Every figure a host publishes carries `Host`, and each graph draws one line per host through a
 * `SEARCH()` expression (AWS: "Use search expressions in graphs", docs.aws.amazon.com/
 * AmazonCloudWatch/latest/monitoring/using-search-expressions.html): a host that starts publishing
 * gets its line without a stack change, and a silent host's line visibly ends.
 */
import {
  BACKUP_TYPE_KEYS,
  BACKUP_TYPES,
  Dimension,
  Metric,
  SHIPPED_JOB_KEYS,
  describeSeconds,
} from "../../catalog";
import type { Thresholds } from "../../catalog";
import { HEALTH_CHECK_JOB, RESTORE_TEST_JOB, agedRows } from "./alarmDefinitions";
import { stableJson } from "../../catalog/stableJson";

export interface DashboardInputs {
  readonly stack: string;
  readonly region: string;
  readonly metricNamespace: string;
  readonly bucketName: string;
  readonly thresholds: Thresholds;
}

type MetricLine = readonly (string | Readonly<Record<string, unknown>>)[];

interface Annotation {
  readonly label: string;
  readonly value: number;
}

interface Graph {
  readonly title: string;
  readonly metrics: readonly MetricLine[];
  readonly stat: "Maximum" | "Sum" | "Average";
  readonly period: number;
  readonly annotations?: readonly Annotation[];
  readonly yAxis?: Readonly<Record<string, unknown>>;
}

/** The label of a per-host line: CloudWatch fills in the series' `Host`. */
const HOST_LABEL = "${PROP('Dim.Host')}";

/**
 * One line per host of `metric` with the fixed dimensions `where`, as a search expression:
 * `SEARCH('{"ns",BackupType,Host} MetricName="BackupAgeSeconds" BackupType="postgres"', 'Maximum', 300)`.
 * The schema lists exactly the metric's dimensions, so no other dimension set matches.
 */
export function perHostSearch(
  namespace: string,
  metric: string,
  where: Readonly<Record<string, string>>,
  stat: Graph["stat"],
  period: number,
): string {
  const keys = Object.keys(where).sort();
  const schema = [`"${namespace}"`, ...[...keys, Dimension.host].sort()].join(",");
  const terms = [`MetricName="${metric}"`, ...keys.map((k) => `${k}="${where[k]}"`)].join(" ");
  return `SEARCH('{${schema}} ${terms}', '${stat}', ${period})`;
}

const HOUR = 3600;
const DAY = 86_400;
const WIDTH = 12;
const HEIGHT = 6;

/** Backup age in hours, with the RPO (and the paging limit, where it differs) as lines. */
function ageGraph(inputs: DashboardInputs, row: (typeof BACKUP_TYPE_KEYS)[number]): Graph {
  const type = BACKUP_TYPES[row];
  const annotations: Annotation[] = [
    { label: `RPO ${describeSeconds(type.rpoSeconds)}`, value: type.rpoSeconds / HOUR },
  ];
  const pagesAt = row === "postgres" ? inputs.thresholds.backupAgeHours * HOUR : type.rpoSeconds;
  if (pagesAt !== type.rpoSeconds)
    annotations.push({ label: `pages above ${describeSeconds(pagesAt)}`, value: pagesAt / HOUR });
  return {
    title: `Backup age vs RPO: ${row} (${type.title}), hours`,
    metrics: [
      [
        {
          expression: `${perHostSearch(inputs.metricNamespace, Metric.backupAgeSeconds, { [Dimension.backupType]: row }, "Maximum", 300)} / 3600`,
          id: "hours",
          label: HOST_LABEL,
        },
      ],
    ],
    stat: "Maximum",
    period: 300,
    annotations,
    yAxis: { left: { min: 0 } },
  };
}

function graphs(inputs: DashboardInputs): Graph[] {
  const ns = inputs.metricNamespace;
  const t = inputs.thresholds;
  const line = (
    id: string,
    metric: string,
    where: Readonly<Record<string, string>>,
    stat: Graph["stat"],
    period: number,
    label: string,
    extra: Readonly<Record<string, unknown>> = {},
  ): MetricLine => [
    { expression: perHostSearch(ns, metric, where, stat, period), id, label, ...extra },
  ];
  const perJob = (metric: string, stat: Graph["stat"]): MetricLine[] =>
    SHIPPED_JOB_KEYS.map((job, i) =>
      line(`job${i}`, metric, { [Dimension.job]: job }, stat, HOUR, `${job} on ${HOST_LABEL}`),
    );
  const bytesRows = BACKUP_TYPE_KEYS.filter((k) =>
    BACKUP_TYPES[k].metrics.includes(Metric.backupBytes),
  );
  const walLag = t.walArchiveLagMinutes * 60;
  return [
    ...agedRows().map((row) => ageGraph(inputs, row)),
    {
      title: "Job duration, seconds (longest run per hour)",
      metrics: perJob(Metric.jobDurationSeconds, "Maximum"),
      stat: "Maximum",
      period: HOUR,
      yAxis: { left: { min: 0 } },
    },
    {
      title: "Bytes written to the bucket per hour",
      metrics: bytesRows.map((row, i) =>
        line(
          `bytes${i}`,
          Metric.backupBytes,
          { [Dimension.backupType]: row },
          "Sum",
          HOUR,
          `${row} from ${HOST_LABEL}`,
        ),
      ),
      stat: "Sum",
      period: HOUR,
      yAxis: { left: { min: 0 } },
    },
    {
      title: "WAL archive lag, seconds (and failed archives)",
      metrics: [
        line(
          "lag",
          Metric.walArchiveLagSeconds,
          { [Dimension.backupType]: "wal" },
          "Maximum",
          300,
          `seconds since the last archived segment on ${HOST_LABEL}`,
        ),
        line(
          "failed",
          Metric.walArchiveFailedCount,
          { [Dimension.backupType]: "wal" },
          "Sum",
          300,
          `failed archives on ${HOST_LABEL}`,
          { yAxis: "right" },
        ),
      ],
      stat: "Maximum",
      period: 300,
      annotations: [
        {
          label: `pages above ${describeSeconds(walLag)} (RPO ${describeSeconds(BACKUP_TYPES.wal.rpoSeconds)})`,
          value: walLag,
        },
      ],
      yAxis: { left: { min: 0 }, right: { min: 0 } },
    },
    {
      title: "Local backup disk use, %",
      metrics: [
        line(
          "disk",
          Metric.diskUsagePercent,
          { [Dimension.job]: HEALTH_CHECK_JOB },
          "Maximum",
          300,
          HOST_LABEL,
        ),
      ],
      stat: "Maximum",
      period: 300,
      annotations: [{ label: `pages above ${t.diskUsagePercent} %`, value: t.diskUsagePercent }],
      yAxis: { left: { min: 0, max: 100 } },
    },
    {
      title: "Restore test: seconds to a queryable database (RTO)",
      metrics: [
        line(
          "rto",
          Metric.restoreTestRtoSeconds,
          { [Dimension.job]: RESTORE_TEST_JOB },
          "Maximum",
          DAY,
          `weekly restore test on ${HOST_LABEL}`,
        ),
      ],
      stat: "Maximum",
      period: DAY,
      ...(t.restoreTestRtoMinutes === undefined
        ? {}
        : {
            annotations: [
              {
                label: `RTO ${t.restoreTestRtoMinutes} minutes`,
                value: t.restoreTestRtoMinutes * 60,
              },
            ],
          }),
      yAxis: { left: { min: 0 } },
    },
    {
      title: "Failed job runs per hour",
      metrics: perJob(Metric.jobFailed, "Sum"),
      stat: "Sum",
      period: HOUR,
      yAxis: { left: { min: 0 } },
    },
    {
      title: `Bucket size, bytes (s3://${inputs.bucketName})`,
      metrics: [
        [
          "AWS/S3",
          "BucketSizeBytes",
          "BucketName",
          inputs.bucketName,
          "StorageType",
          "StandardStorage",
          { label: "Standard" },
        ],
      ],
      // S3 reports storage once a day.
      stat: "Average",
      period: DAY,
      yAxis: { left: { min: 0 } },
    },
  ];
}

/** Two graphs per row under a one-line header. */
export function dashboardBody(inputs: DashboardInputs): string {
  const header = {
    type: "text",
    x: 0,
    y: 0,
    width: 2 * WIDTH,
    height: 2,
    properties: {
      markdown:
        `## Stellar Insights backups: ${inputs.stack}\n` +
        "Every alarm of this stack pages on-call through SNS; what each means and what to do: docs/runbook/alarms.md.",
    },
  };
  const widgets = graphs(inputs).map((g, i) => ({
    type: "metric",
    x: (i % 2) * WIDTH,
    y: 2 + Math.floor(i / 2) * HEIGHT,
    width: WIDTH,
    height: HEIGHT,
    properties: {
      title: g.title,
      region: inputs.region,
      view: "timeSeries",
      stacked: false,
      metrics: g.metrics,
      stat: g.stat,
      period: g.period,
      ...(g.annotations === undefined ? {} : { annotations: { horizontal: g.annotations } }),
      ...(g.yAxis === undefined ? {} : { yAxis: g.yAxis }),
    },
  }));
  return stableJson({ widgets: [header, ...widgets] });
}
