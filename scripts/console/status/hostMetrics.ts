/**
 * The latest value of each host figure that a host job publishes today, read from CloudWatch with
 * GetMetricData: the series the stack's alarm on that figure watches (same metric, dimensions and
 * statistic, narrowed to the host by its `Host` dimension), compared with the alarm's threshold.
 * A figure nothing publishes (replica lag, say) is not listed: the console shows no invented number.
 */
import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { Dimension, Metric, type MetricName, type Thresholds } from "../../../infra/catalog";
import { HEALTH_CHECK_JOB, RESTORE_TEST_JOB } from "../../../infra/content/aws/alarmDefinitions";

const HOUR = 3600;

/** One figure: its series, how far back its latest value is looked for, and its alarm's limit. */
export interface HostFigure {
  /** Stable key in the JSON document. */
  readonly figure: "walArchiveLagSeconds" | "diskUsagePercent" | "restoreTestRtoSeconds";
  /** Its name in the table. */
  readonly title: string;
  readonly metric: MetricName;
  /** Besides `Host`. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** The alarm's statistic over one period. */
  readonly statistic: "Maximum";
  readonly unit: "seconds" | "percent";
  /**
   * How far back the latest value is looked for: a few of the health check's 5-minute runs, or
   * past one weekly restore test.
   */
  readonly lookbackSeconds: number;
  readonly periodSeconds: number;
  /** The alarm's threshold; undefined when the stack has no alarm on it. */
  limit(thresholds: Thresholds): number | undefined;
}

export const HOST_FIGURES: readonly HostFigure[] = [
  {
    figure: "walArchiveLagSeconds",
    title: "WAL archive lag",
    metric: Metric.walArchiveLagSeconds,
    dimensions: { [Dimension.backupType]: "wal" },
    statistic: "Maximum",
    unit: "seconds",
    lookbackSeconds: 3 * HOUR,
    periodSeconds: 60,
    limit: (t) => t.walArchiveLagMinutes * 60,
  },
  {
    figure: "restoreTestRtoSeconds",
    title: "restore test RTO",
    metric: Metric.restoreTestRtoSeconds,
    dimensions: { [Dimension.job]: RESTORE_TEST_JOB },
    statistic: "Maximum",
    unit: "seconds",
    lookbackSeconds: 8 * 24 * HOUR,
    periodSeconds: 300,
    limit: (t) =>
      t.restoreTestRtoMinutes === undefined ? undefined : t.restoreTestRtoMinutes * 60,
  },
  {
    figure: "diskUsagePercent",
    title: "backup disk use",
    metric: Metric.diskUsagePercent,
    dimensions: { [Dimension.job]: HEALTH_CHECK_JOB },
    statistic: "Maximum",
    unit: "percent",
    lookbackSeconds: 3 * HOUR,
    periodSeconds: 60,
    limit: (t) => t.diskUsagePercent,
  },
];

/** A figure's latest period with data, or none in its lookback. */
export interface FigureReading {
  readonly figure: HostFigure;
  /** Undefined: no datum in the lookback window. */
  readonly latest?: { readonly value: number; readonly at: Date };
}

/**
 * Each of `HOST_FIGURES` for `host`, as at `now`: the newest period with data in the lookback
 * window before `now` (widened to whole periods). One GetMetricData call per figure (its window
 * and period are its own), every page read. Throws the SDK's error when CloudWatch cannot be read.
 */
export async function readHostFigures(
  cloudWatch: CloudWatchClient,
  namespace: string,
  host: string,
  now: Date,
): Promise<FigureReading[]> {
  const readings: FigureReading[] = [];
  for (const figure of HOST_FIGURES) {
    const query: MetricDataQuery = {
      Id: "figure",
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: namespace,
          MetricName: figure.metric,
          Dimensions: Object.entries({ ...figure.dimensions, [Dimension.host]: host }).map(
            ([Name, Value]) => ({ Name, Value }),
          ),
        },
        Period: figure.periodSeconds,
        Stat: figure.statistic,
      },
    };
    // Whole periods from a multiple of the period, as CloudWatch aligns them: each value's `at`
    // is then its minute (or 5 minutes), not an offset from when the command ran.
    const periodMs = figure.periodSeconds * 1000;
    const end = Math.ceil(now.getTime() / periodMs) * periodMs;
    const start = Math.floor((now.getTime() - figure.lookbackSeconds * 1000) / periodMs) * periodMs;
    let latest: FigureReading["latest"];
    let nextToken: string | undefined;
    do {
      const page = await cloudWatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(start),
          EndTime: new Date(end),
          MetricDataQueries: [query],
          NextToken: nextToken,
        }),
      );
      const result = page.MetricDataResults?.[0];
      (result?.Timestamps ?? []).forEach((at, i) => {
        const value = result?.Values?.[i];
        if (value !== undefined && (!latest || at.getTime() > latest.at.getTime()))
          latest = { value, at };
      });
      nextToken = page.NextToken;
    } while (nextToken);
    readings.push({ figure, ...(latest ? { latest } : {}) });
  }
  return readings;
}
