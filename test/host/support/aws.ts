/** Reads back from moto what the jobs wrote: objects in the bucket, metrics in CloudWatch. */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Dimension } from "../../../infra/catalog";
import { hostIdOf } from "../../../scripts/lib/job/hostConfig";
import { sandboxClientSettings } from "../../../scripts/sandbox/moto";
import type { Sandbox } from "../../../scripts/sandbox/sandbox";

function clientSettings(sb: Sandbox) {
  return sandboxClientSettings(sb.moto.endpoint, sb.hostConfig.region);
}

/** An S3 client on the sandbox's moto, path-style as moto serves buckets; the caller destroys it. */
export function sandboxS3Client(sb: Sandbox): S3Client {
  return new S3Client({ ...clientSettings(sb), forcePathStyle: true });
}

/** An object with a current version in the sandbox bucket: its key and when S3 stored it. */
export interface ListedObject {
  readonly key: string;
  readonly lastModified: Date;
}

/** Objects with a current version under `prefix` in the sandbox bucket, every page, in S3's order. */
export async function listObjects(sb: Sandbox, prefix: string): Promise<ListedObject[]> {
  const s3 = sandboxS3Client(sb);
  try {
    const objects: ListedObject[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: sb.bucket.name,
          Prefix: prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? [])
        objects.push({ key: o.Key as string, lastModified: o.LastModified as Date });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  } finally {
    s3.destroy();
  }
}

/** Keys with a current version under `prefix` in the sandbox bucket, every page, sorted. */
export async function listKeys(sb: Sandbox, prefix: string): Promise<string[]> {
  return (await listObjects(sb, prefix)).map((o) => o.key).sort();
}

export async function headObject(sb: Sandbox, key: string) {
  const s3 = sandboxS3Client(sb);
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: sb.bucket.name, Key: key }));
  } finally {
    s3.destroy();
  }
}

export async function getObjectBytes(sb: Sandbox, key: string): Promise<Buffer> {
  const s3 = sandboxS3Client(sb);
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: sb.bucket.name, Key: key }));
    return Buffer.from(
      await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
  } finally {
    s3.destroy();
  }
}

/** A metric's dimensions as the sandbox's host publishes them: every datum also carries `Host`. */
export function onHost(
  sb: Sandbox,
  dimensions: Readonly<Record<string, string>>,
): Record<string, string> {
  return { ...dimensions, [Dimension.host]: hostIdOf(sb.hostConfig) };
}

export interface MetricValue {
  readonly name: string;
  readonly dimensions: Record<string, string>;
  /** Per-minute sums of the values published in the window, oldest first. */
  readonly values: number[];
  /** How many data points were published in the window. */
  readonly samples: number;
}

/** Every metric in `namespace` with its published values (ListMetrics, then GetMetricData per metric). */
export async function readMetrics(
  sb: Sandbox,
  namespace = sb.hostConfig.metricNamespace,
): Promise<MetricValue[]> {
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
          MetricDataQueries: (["Sum", "SampleCount"] as const).map((Stat) => ({
            Id: `${Stat.toLowerCase()}${i}`,
            MetricStat: { Metric: m, Period: 60, Stat },
            ReturnData: true,
          })),
        }),
      );
      const [sums, counts] = [data.MetricDataResults?.[0], data.MetricDataResults?.[1]];
      const values = (sums?.Timestamps ?? [])
        .map((t, j) => ({ t: t.getTime(), v: sums?.Values?.[j] ?? NaN }))
        .sort((a, b) => a.t - b.t)
        .map((p) => p.v);
      result.push({
        name: m.MetricName as string,
        dimensions: Object.fromEntries(
          (m.Dimensions ?? []).map((d) => [d.Name as string, d.Value as string]),
        ),
        values,
        samples: (counts?.Values ?? []).reduce((a, b) => a + b, 0),
      });
    }
    return result;
  } finally {
    cw.destroy();
  }
}

/**
 * What one run added to a metric: the sum after minus the sum before. moto's GetMetricData ignores
 * the namespace when dimensions are given, so tests tell runs apart by time, not by namespace.
 */
export function metricDelta(
  before: readonly MetricValue[],
  after: readonly MetricValue[],
  name: string,
  dimensions: Record<string, string>,
): number | undefined {
  const now = metricSum(after, name, dimensions);
  return now === undefined ? undefined : now - (metricSum(before, name, dimensions) ?? 0);
}

function find(
  metrics: readonly MetricValue[],
  name: string,
  dimensions: Record<string, string>,
): MetricValue | undefined {
  const wanted = JSON.stringify(Object.entries(dimensions).sort());
  return metrics.find(
    (m) => m.name === name && JSON.stringify(Object.entries(m.dimensions).sort()) === wanted,
  );
}

/** The sum of all values of one metric with exactly these dimensions (undefined if never published). */
export function metricSum(
  metrics: readonly MetricValue[],
  name: string,
  dimensions: Record<string, string>,
): number | undefined {
  return find(metrics, name, dimensions)?.values.reduce((a, b) => a + b, 0);
}

/** How many data points of one metric were published (0 if never). */
export function metricSamples(
  metrics: readonly MetricValue[],
  name: string,
  dimensions: Record<string, string>,
): number {
  return find(metrics, name, dimensions)?.samples ?? 0;
}

/** Uploads bytes as the jobs do (with `sha256` metadata, and `metadata`), for tests that plant objects. */
export async function putObject(
  sb: Sandbox,
  key: string,
  body: Buffer,
  metadata: Record<string, string> = {},
): Promise<void> {
  const { PutObjectCommand } = await import("@aws-sdk/client-s3");
  const s3 = sandboxS3Client(sb);
  try {
    const sha256 = (await import("node:crypto")).createHash("sha256").update(body).digest("hex");
    await s3.send(
      new PutObjectCommand({
        Bucket: sb.bucket.name,
        Key: key,
        Body: body,
        Metadata: { ...metadata, sha256 },
      }),
    );
  } finally {
    s3.destroy();
  }
}

export async function getJsonObject<T>(sb: Sandbox, key: string): Promise<T> {
  return JSON.parse((await getObjectBytes(sb, key)).toString("utf8")) as T;
}

/**
 * What S3 replication does for one object, done by hand because moto does not replicate: the
 * version's bytes and metadata (the current one unless `versionId`) written into `toBucket` under
 * the same key. A PutObject with
 * its checksum algorithm named, as a locked destination requires (moto refuses CopyObject there).
 */
export async function copyLikeReplication(
  s3: S3Client,
  fromBucket: string,
  toBucket: string,
  key: string,
  versionId?: string,
): Promise<void> {
  const source = await s3.send(
    new GetObjectCommand({
      Bucket: fromBucket,
      Key: key,
      ...(versionId ? { VersionId: versionId } : {}),
    }),
  );
  const body = Buffer.from(
    await (source.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: toBucket,
      Key: key,
      Body: body,
      Metadata: source.Metadata,
      ChecksumAlgorithm: "SHA256",
    }),
  );
}
