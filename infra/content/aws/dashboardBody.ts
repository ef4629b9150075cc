/**
 * The backup dashboard's body, derived from the catalog: each row's backup age against its RPO,
 * job durations, bytes written, WAL archive lag, disk use, the restore test's time to a queryable
 * database, job failures and the bucket's size. Pure and deterministic (sorted keys).
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
      [{ expression: "age / 3600", id: "hours", label: `${row} age (hours)` }],
      [
        inputs.metricNamespace,
        Metric.backupAgeSeconds,
        Dimension.backupType,
        row,
        { id: "age", visible: false },
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
  const perJob = (metric: string): MetricLine[] =>
    SHIPPED_JOB_KEYS.map((job) => [ns, metric, Dimension.job, job, { label: job }]);
  const bytesRows = BACKUP_TYPE_KEYS.filter((k) =>
    BACKUP_TYPES[k].metrics.includes(Metric.backupBytes),
  );
  const walLag = t.walArchiveLagMinutes * 60;
  return [
    ...agedRows().map((row) => ageGraph(inputs, row)),
    {
      title: "Job duration, seconds (longest run per hour)",
      metrics: perJob(Metric.jobDurationSeconds),
      stat: "Maximum",
      period: HOUR,
      yAxis: { left: { min: 0 } },
    },
    {
      title: "Bytes written to the bucket per hour",
      metrics: bytesRows.map((row) => [
        ns,
        Metric.backupBytes,
        Dimension.backupType,
        row,
        { label: row },
      ]),
      stat: "Sum",
      period: HOUR,
      yAxis: { left: { min: 0 } },
    },
    {
      title: "WAL archive lag, seconds (and failed archives)",
      metrics: [
        [
          ns,
          Metric.walArchiveLagSeconds,
          Dimension.backupType,
          "wal",
          { label: "seconds since the last archived segment" },
        ],
        [
          ns,
          Metric.walArchiveFailedCount,
          Dimension.backupType,
          "wal",
          { label: "failed archives", stat: "Sum", yAxis: "right" },
        ],
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
      metrics: [[ns, Metric.diskUsagePercent, Dimension.job, HEALTH_CHECK_JOB, { label: "used" }]],
      stat: "Maximum",
      period: 300,
      annotations: [{ label: `pages above ${t.diskUsagePercent} %`, value: t.diskUsagePercent }],
      yAxis: { left: { min: 0, max: 100 } },
    },
    {
      title: "Restore test: seconds to a queryable database (RTO)",
      metrics: [
        [
          ns,
          Metric.restoreTestRtoSeconds,
          Dimension.job,
          RESTORE_TEST_JOB,
          { label: "weekly restore test" },
        ],
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
      metrics: perJob(Metric.jobFailed),
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
        "Every alarm of this stack pages on-call through SNS; what each means and what to do: README.md, section *Alarms and paging*.",
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
