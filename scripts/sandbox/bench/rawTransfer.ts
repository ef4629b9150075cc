/**
 * The raw baselines the PostgreSQL engine ratios divide by: one file's bytes uploaded to and
 * downloaded from the same bucket through the same TLS front the engines use, with nothing on top
 * (one streamed PutObject, no compression), encrypted with the bucket's KMS key as the engines'
 * uploads are. The prod plan's bucket has Object Lock, and S3 takes no upload into a locked bucket
 * without an integrity header (Content-MD5 or a checksum algorithm): the baseline sends Content-MD5,
 * as pgBackRest does, computed before the timer starts (a streamed aws-chunked checksum stalled
 * moto behind the TLS front).
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, readFileSync, statSync } from "node:fs";
import { Agent } from "node:https";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { secondsSince } from "../../lib/job/time";
import { sandboxClientSettings } from "../moto";
import type { Sandbox } from "../sandbox";

export function rawS3Client(sandbox: Sandbox): S3Client {
  const front = sandbox.tlsFront;
  return new S3Client({
    ...sandboxClientSettings(front.url, sandbox.hostConfig.region),
    // The engines reach moto through the TLS front and verify it against the sandbox's CA: so does the baseline.
    requestHandler: { httpsAgent: new Agent({ ca: readFileSync(front.caFile), keepAlive: true }) },
    forcePathStyle: true,
    // A raw copy: no CRC32 computed over the body on the way up, none verified on the way down.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** The file's MD5 as S3's Content-MD5 header wants it (base64). */
async function md5Base64(file: string): Promise<string> {
  const hash = createHash("md5");
  await pipeline(createReadStream(file), hash);
  return hash.digest("base64");
}

export interface TimedUpload {
  readonly seconds: number;
  readonly versionId?: string;
}

export async function timedUpload(
  client: S3Client,
  sandbox: Sandbox,
  key: string,
  file: string,
): Promise<TimedUpload> {
  const contentMd5 = await md5Base64(file);
  const started = performance.now();
  const out = await client.send(
    new PutObjectCommand({
      Bucket: sandbox.bucket.name,
      Key: key,
      Body: createReadStream(file),
      ContentLength: statSync(file).size,
      ContentMD5: contentMd5,
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: sandbox.hostConfig.kmsKeyArn,
    }),
  );
  return { seconds: secondsSince(started), ...(out.VersionId ? { versionId: out.VersionId } : {}) };
}

/**
 * Deletes the exact version (the bucket is versioned): big runs must not pile up in moto. The
 * version is under the plan's GOVERNANCE lock: the sandbox's own (root) credentials bypass it, as
 * only a break-glass principal may on AWS; no host role can.
 */
export async function removeUploaded(
  client: S3Client,
  sandbox: Sandbox,
  key: string,
  upload: TimedUpload,
): Promise<void> {
  await client.send(
    new DeleteObjectCommand({
      Bucket: sandbox.bucket.name,
      Key: key,
      VersionId: upload.versionId,
      BypassGovernanceRetention: true,
    }),
  );
}

/** Downloads `key` to `dest`; checks the byte count so a short read never looks fast. */
export async function timedDownload(
  client: S3Client,
  sandbox: Sandbox,
  key: string,
  dest: string,
  expectedBytes: number,
): Promise<number> {
  const started = performance.now();
  const out = await client.send(new GetObjectCommand({ Bucket: sandbox.bucket.name, Key: key }));
  await pipeline(out.Body as Readable, createWriteStream(dest));
  const elapsed = secondsSince(started);
  const bytes = statSync(dest).size;
  if (bytes !== expectedBytes)
    throw new Error(
      `downloaded ${bytes} bytes of s3://${sandbox.bucket.name}/${key}, expected ${expectedBytes}`,
    );
  return elapsed;
}

/** MB (10^6 bytes) per second. */
export function throughputMBps(bytes: number, seconds: number): number {
  return bytes / 1e6 / seconds;
}
