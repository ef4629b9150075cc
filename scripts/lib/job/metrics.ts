/**
 * CloudWatch metrics of a run. Names and dimensions come from the catalog: every datum carries
 * `Host` (the publishing host's id); run metrics and other job-level figures carry `Job`; a figure
 * about a catalog row carries `BackupType`, and only for metrics that row declares. Data is buffered and published in one go at the end of the run
 * (the runner does it on success and on failure alike).
 */
import {
  CloudWatchClient,
  PutMetricDataCommand,
  type MetricDatum,
  type StandardUnit,
} from "@aws-sdk/client-cloudwatch";
import {
  BACKUP_TYPES,
  Dimension,
  Metric,
  type BackupTypeKey,
  type MetricName,
} from "../../../infra/catalog";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { awsClientSettings } from "../storage/aws";

/** Every metric's unit, exhaustive over the catalog's names. */
export const METRIC_UNITS: Readonly<Record<MetricName, StandardUnit>> = {
  [Metric.jobSucceeded]: "Count",
  [Metric.jobFailed]: "Count",
  [Metric.jobDurationSeconds]: "Seconds",
  [Metric.jobHeartbeat]: "Count",
  [Metric.jobSkippedBusy]: "Count",
  [Metric.backupBytes]: "Bytes",
  [Metric.standbyFallback]: "Count",
  [Metric.backupAgeSeconds]: "Seconds",
  [Metric.s3Reachable]: "Count",
  [Metric.diskUsagePercent]: "Percent",
  [Metric.walArchiveLagSeconds]: "Seconds",
  [Metric.walArchiveFailedCount]: "Count",
  [Metric.walArchiveStuck]: "Count",
  [Metric.pgWalDiskUsagePercent]: "Percent",
  [Metric.redisLastSaveAgeSeconds]: "Seconds",
  [Metric.restoreTestRtoSeconds]: "Seconds",
  [Metric.jobLastRunAgeSeconds]: "Seconds",
};

export interface MetricPoint {
  readonly name: MetricName;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly timestamp: Date;
}

export class MetricsRecorder {
  private readonly points: MetricPoint[] = [];

  /**
   * @param job the job that runs (its `Job` dimension)
   * @param host the publishing host's id (`hostIdOf(config)`), the `Host` dimension of every datum
   */
  constructor(
    readonly job: string,
    readonly host: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (host.length === 0) throw new Error("a metric's Host dimension cannot be empty");
  }

  /**
   * A job-level figure (run metrics, S3 reachability, disk use, restore-test time), about this job
   * or, for the health check's JobLastRunAgeSeconds, about another one.
   */
  jobMetric(name: MetricName, value: number, aboutJob: string = this.job): void {
    this.points.push({
      name,
      value,
      dimensions: { [Dimension.job]: aboutJob, [Dimension.host]: this.host },
      timestamp: this.now(),
    });
  }

  /** A figure about a catalog row; the row must declare the metric. */
  rowMetric(row: BackupTypeKey, name: MetricName, value: number): void {
    if (!BACKUP_TYPES[row].metrics.includes(name)) {
      throw new Error(`catalog row '${row}' does not declare metric ${name}`);
    }
    this.points.push({
      name,
      value,
      dimensions: { [Dimension.backupType]: row, [Dimension.host]: this.host },
      timestamp: this.now(),
    });
  }

  all(): readonly MetricPoint[] {
    return this.points;
  }
}

export function toMetricDatum(point: MetricPoint): MetricDatum {
  return {
    MetricName: point.name,
    Value: point.value,
    Unit: METRIC_UNITS[point.name],
    Timestamp: point.timestamp,
    Dimensions: Object.entries(point.dimensions).map(([Name, Value]) => ({ Name, Value })),
  };
}

/** PutMetricData takes at most 1000 data per call; 20 keeps every API version and moto happy. */
const BATCH = 20;

export async function publishMetrics(
  config: HostConfig,
  points: readonly MetricPoint[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const client = new CloudWatchClient(awsClientSettings(config, env));
  try {
    for (let i = 0; i < points.length; i += BATCH) {
      await client.send(
        new PutMetricDataCommand({
          Namespace: config.metricNamespace,
          MetricData: points.slice(i, i + BATCH).map(toMetricDatum),
        }),
      );
    }
  } finally {
    client.destroy();
  }
}
