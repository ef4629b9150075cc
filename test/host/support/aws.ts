/** Reads back from moto what the jobs wrote: objects in the bucket, metrics in CloudWatch. */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { Sandbox } from "../../../scripts/sandbox/sandbox";

function clientSettings(sb: Sandbox) {
  return {
    region: sb.hostConfig.region,
    endpoint: sb.moto.endpoint,
    credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
  };
}

export async function listKeys(sb: Sandbox, prefix: string): Promise<string[]> {
  const s3 = new S3Client({ ...clientSettings(sb), forcePathStyle: true });
  try {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: sb.bucket.name, Prefix: prefix }));
    return (out.Contents ?? []).map((o) => o.Key as string).sort();
  } finally {
    s3.destroy();
  }
}

export async function headObject(sb: Sandbox, key: string) {
  const s3 = new S3Client({ ...clientSettings(sb), forcePathStyle: true });
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: sb.bucket.name, Key: key }));
  } finally {
    s3.destroy();
  }
}

export async function getObjectBytes(sb: Sandbox, key: string): Promise<Buffer> {
  const s3 = new S3Client({ ...clientSettings(sb), forcePathStyle: true });
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: sb.bucket.name, Key: key }));
    return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  } finally {
    s3.destroy();
  }
}

export interface MetricValue {
  readonly name: string;
  readonly dimensions: Record<string, string>;
  /** Every value published in the window, oldest first. */
  readonly values: number[];
}

/** Every metric in `namespace` with its published values (ListMetrics, then GetMetricData per metric). */
export async function readMetrics(sb: Sandbox, namespace = sb.hostConfig.metricNamespace): Promise<MetricValue[]> {
  const cw = new CloudWatchClient(clientSettings(sb));
  try {
    const listed = await cw.send(new ListMetricsCommand({ Namespace: namespace }));
    const metrics = listed.Metrics ?? [];
    const end = new Date(Date.now() + 60_000);
    const start = new Date(Date.now() - 3600_000);
    const result: MetricValue[] = [];
    for (let i = 0; i < metrics.length; i++) {
      const m = metrics[i];
      const data = await cw.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: end,
          MetricDataQueries: [{ Id: `m${i}`, MetricStat: { Metric: m, Period: 60, Stat: "Sum" }, ReturnData: true }],
        }),
      );
      const series = data.MetricDataResults?.[0];
      const values = (series?.Timestamps ?? [])
        .map((t, j) => ({ t: t.getTime(), v: series?.Values?.[j] ?? NaN }))
        .sort((a, b) => a.t - b.t)
        .map((p) => p.v);
      result.push({
        name: m.MetricName as string,
        dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name as string, d.Value as string])),
        values,
      });
    }
    return result;
  } finally {
    cw.destroy();
  }
}

/** The sum of all values of one metric with exactly these dimensions (undefined if never published). */
export function metricSum(metrics: readonly MetricValue[], name: string, dimensions: Record<string, string>): number | undefined {
  const match = metrics.find(
    (m) => m.name === name && JSON.stringify(Object.entries(m.dimensions).sort()) === JSON.stringify(Object.entries(dimensions).sort()),
  );
  return match ? match.values.reduce((a, b) => a + b, 0) : undefined;
}

/** Uploads bytes as the jobs do (with `sha256` metadata), for tests that plant objects. */
export async function putObject(sb: Sandbox, key: string, body: Buffer): Promise<void> {
  const { PutObjectCommand } = await import("@aws-sdk/client-s3");
  const s3 = new S3Client({ ...clientSettings(sb), forcePathStyle: true });
  try {
    const sha256 = (await import("node:crypto")).createHash("sha256").update(body).digest("hex");
    await s3.send(new PutObjectCommand({ Bucket: sb.bucket.name, Key: key, Body: body, Metadata: { sha256 } }));
  } finally {
    s3.destroy();
  }
}

export async function getJsonObject<T>(sb: Sandbox, key: string): Promise<T> {
  return JSON.parse((await getObjectBytes(sb, key)).toString("utf8")) as T;
}
