/**
 * The backup bucket through AWS SDK v3. Uploads carry their SHA-256 (object metadata `sha256`, and
 * `ChecksumSHA256` so S3 itself rejects a corrupted upload); downloads verify it before the file
 * gets its final name.
 */
import { createReadStream, createWriteStream, promises as fs } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type PutObjectCommandInput,
} from "@aws-sdk/client-s3";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { awsClientSettings } from "./aws";
import { publishFile, tempSibling } from "../files/atomicFile";
import { JobError } from "../job/errors";
import { sha256Hex } from "../../../infra/catalog/sha256";
import { sha256File } from "../files/hash";

/** Metadata key of the object's SHA-256 (hex), on every object the jobs write. */
export const SHA256_METADATA = "sha256";
/** A single PutObject takes at most 5 GiB. */
export const MAX_SINGLE_UPLOAD_BYTES = 5 * 1024 ** 3;

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

export interface UploadResult {
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly versionId?: string;
  readonly serverSideEncryption?: string;
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NoSuchKey" || e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404;
}

function describeS3Error(action: string, target: string, error: unknown): JobError {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : "";
  const hint =
    e?.name === "AccessDenied"
      ? "check the host's instance role (HostAccess) allows this prefix and the KMS key"
      : "check the network path to S3 and the bucket name in the host config";
  return new JobError(
    `S3 ${action} ${target} failed: ${e?.name ?? "Error"}${status}: ${e?.message ?? String(error)}`,
    hint,
  );
}

/** An object that was read whole but is not what it should be: damage, not the network. */
export class MalformedObjectError extends JobError {
  constructor(
    readonly url: string,
    detail: string,
  ) {
    super(
      `${url} is malformed: ${detail}`,
      "the object was read in full, so this is not a network problem: it was damaged or not written by these jobs",
    );
    this.name = "MalformedObjectError";
  }
}

/** What `BackupStore` reads of the host config: the bucket, its region and key, the endpoint. */
export type BackupStoreConfig = Pick<
  HostConfig,
  "bucket" | "region" | "awsEndpointUrl" | "kmsKeyArn"
>;

export class BackupStore {
  readonly client: S3Client;

  constructor(
    readonly config: BackupStoreConfig,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.client = new S3Client({
      ...awsClientSettings(config, env),
      forcePathStyle: config.awsEndpointUrl !== undefined,
    });
  }

  get bucket(): string {
    return this.config.bucket;
  }

  private encryption(): Partial<PutObjectCommandInput> {
    // Naming the key matters: `aws:kms` without a key id would use the account's `aws/s3` key,
    // which the host role may not use. Without a key ARN the bucket's default (SSE-KMS) applies.
    return this.config.kmsKeyArn
      ? {
          ServerSideEncryption: "aws:kms",
          SSEKMSKeyId: this.config.kmsKeyArn,
          BucketKeyEnabled: true,
        }
      : {};
  }

  private async put(
    input: Omit<PutObjectCommandInput, "Bucket">,
    sha256: string,
    bytes: number,
  ): Promise<UploadResult> {
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          ...input,
          Bucket: this.bucket,
          // Naming the algorithm sends `x-amz-sdk-checksum-algorithm`, which S3 requires (with
          // Content-MD5 as the other choice) for every upload into a bucket with an Object Lock
          // default retention (PutObject API reference); the value is ours, not recomputed.
          ChecksumAlgorithm: "SHA256",
          ChecksumSHA256: Buffer.from(sha256, "hex").toString("base64"),
          Metadata: { ...input.Metadata, [SHA256_METADATA]: sha256 },
          ...this.encryption(),
        }),
      );
      return {
        key: input.Key as string,
        bytes,
        sha256,
        ...(out.VersionId ? { versionId: out.VersionId } : {}),
        ...(out.ServerSideEncryption ? { serverSideEncryption: out.ServerSideEncryption } : {}),
      };
    } catch (error) {
      throw describeS3Error("upload to", `s3://${this.bucket}/${input.Key}`, error);
    }
  }

  async uploadFile(
    key: string,
    path: string,
    metadata: Record<string, string> = {},
    contentType = "application/octet-stream",
  ): Promise<UploadResult> {
    const { sha256, bytes } = await sha256File(path);
    if (bytes > MAX_SINGLE_UPLOAD_BYTES) {
      throw new JobError(
        `${path} is ${bytes} bytes, over the 5 GiB single-upload limit`,
        "multipart upload is not supported yet",
      );
    }
    return this.put(
      {
        Key: key,
        Body: createReadStream(path),
        ContentLength: bytes,
        ContentType: contentType,
        Metadata: metadata,
      },
      sha256,
      bytes,
    );
  }

  async putJson(key: string, value: unknown): Promise<UploadResult> {
    const body = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
    return this.put(
      { Key: key, Body: body, ContentLength: body.length, ContentType: "application/json" },
      sha256Hex(body),
      body.length,
    );
  }

  /**
   * The object's JSON, or undefined when there is no such object. Throws `MalformedObjectError`
   * when it is not JSON, and a JobError naming the S3 error otherwise.
   */
  async getJson<T>(
    key: string,
  ): Promise<{ readonly value: T; readonly lastModified?: Date } | undefined> {
    let text: string;
    let lastModified: Date | undefined;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      text = await (out.Body as { transformToString(): Promise<string> }).transformToString();
      lastModified = out.LastModified;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw describeS3Error("read of", `s3://${this.bucket}/${key}`, error);
    }
    try {
      return { value: JSON.parse(text) as T, ...(lastModified ? { lastModified } : {}) };
    } catch (error) {
      throw new MalformedObjectError(`s3://${this.bucket}/${key}`, (error as Error).message);
    }
  }

  async head(key: string): Promise<
    | {
        readonly size: number;
        readonly lastModified?: Date;
        readonly metadata: Record<string, string>;
      }
    | undefined
  > {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        size: out.ContentLength ?? 0,
        ...(out.LastModified ? { lastModified: out.LastModified } : {}),
        metadata: out.Metadata ?? {},
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw describeS3Error("head of", `s3://${this.bucket}/${key}`, error);
    }
  }

  /**
   * Downloads to `path` through a temp file; the file gets its name only once its SHA-256 matches
   * the object's `sha256` metadata (objects without it are refused: the jobs wrote them all).
   */
  async download(
    key: string,
    path: string,
    own: { readonly mode?: number } = {},
  ): Promise<{
    readonly bytes: number;
    readonly sha256: string;
    readonly metadata: Record<string, string>;
  }> {
    const temp = tempSibling(path);
    try {
      let metadata: Record<string, string>;
      try {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        metadata = out.Metadata ?? {};
        await pipeline(
          out.Body as Readable,
          createWriteStream(temp, { flags: "wx", mode: own.mode ?? 0o600 }),
        );
      } catch (error) {
        throw isNotFound(error)
          ? new JobError(`s3://${this.bucket}/${key} does not exist`)
          : describeS3Error("download of", `s3://${this.bucket}/${key}`, error);
      }
      const { sha256, bytes } = await sha256File(temp);
      const expected = metadata[SHA256_METADATA];
      if (!expected)
        throw new JobError(
          `s3://${this.bucket}/${key} has no sha256 metadata; refusing an object these jobs did not write`,
        );
      if (expected !== sha256) {
        throw new JobError(
          `s3://${this.bucket}/${key} is corrupt: SHA-256 ${sha256} does not match the recorded ${expected}`,
        );
      }
      await publishFile(temp, path);
      return { bytes, sha256, metadata };
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  /** Every page of a listing under `prefix`, with `delimiter` when folders are wanted. */
  private async listPages(
    prefix: string,
    delimiter?: string,
  ): Promise<ListObjectsV2CommandOutput[]> {
    const pages: ListObjectsV2CommandOutput[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            Delimiter: delimiter,
            ContinuationToken: token,
          }),
        );
        pages.push(out);
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw describeS3Error("listing of", `s3://${this.bucket}/${prefix}`, error);
    }
    return pages;
  }

  /** Every object under `prefix` (all pages). */
  async list(prefix: string): Promise<StoredObject[]> {
    return (await this.listPages(prefix)).flatMap((page) =>
      (page.Contents ?? []).flatMap((o) =>
        o.Key && o.LastModified
          ? [{ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified }]
          : [],
      ),
    );
  }

  /** The "folders" directly under `prefix` (common prefixes with delimiter `/`). */
  async listFolders(prefix: string): Promise<string[]> {
    return (await this.listPages(prefix, "/"))
      .flatMap((page) => (page.CommonPrefixes ?? []).flatMap((p) => (p.Prefix ? [p.Prefix] : [])))
      .sort();
  }

  /** A real request that the host role may make (ListBucket is granted per prefix, so HeadBucket is not). */
  async probe(prefix: string): Promise<void> {
    try {
      await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: 1 }),
      );
    } catch (error) {
      throw describeS3Error("listing of", `s3://${this.bucket}/${prefix}`, error);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

/**
 * Objects newest first by S3's own LastModified (when the store took each write; ties, which its
 * one-second resolution can make: the greater key first). Never by a stamp in the key: a stamp is
 * the writing host's or service's clock, which can run fast and make an old backup look newest.
 */
export function newestFirst(objects: readonly StoredObject[]): StoredObject[] {
  return [...objects].sort(
    (a, b) =>
      b.lastModified.getTime() - a.lastModified.getTime() ||
      (a.key < b.key ? 1 : a.key > b.key ? -1 : 0),
  );
}

/** The newest object by LastModified (see `newestFirst`), or undefined for an empty list. */
export function newestObject(objects: readonly StoredObject[]): StoredObject | undefined {
  return newestFirst(objects)[0];
}
