/**
 * What logs-ship needs to ship each byte of a log once, whatever rotation did to the file:
 * the content of a file (decompressed for `.gz`, so `app.log.1` and `app.log.1.gz` are the same
 * content), the longest already-shipped prefix of it (found by SHA-256 at recorded lengths, in one
 * pass), and a gzip of the rest.
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";

/** A prefix already in S3: its length in bytes and the SHA-256 of those bytes. */
export interface ShippedPrefix {
  readonly length: number;
  readonly sha256: string;
}

export function isCompressed(path: string): boolean {
  return path.endsWith(".gz");
}

/** The file's content as a stream: at most `size` bytes of a plain file (it may be growing). */
export function contentStream(path: string, size: number): Readable {
  if (isCompressed(path)) return createReadStream(path).pipe(createGunzip());
  return createReadStream(path, { start: 0, end: Math.max(0, size - 1) });
}

export interface ContentScan {
  /** Length of the longest recorded prefix the content starts with (0 when none). */
  readonly shippedLength: number;
  readonly totalLength: number;
  /** SHA-256 of the whole content. */
  readonly sha256: string;
}

/**
 * Hashes the content once, taking a digest at every recorded prefix length on the way (a copy of
 * the running hash), and reports the longest recorded prefix that matches.
 */
export async function scanContent(
  stream: Readable,
  shipped: readonly ShippedPrefix[],
): Promise<ContentScan> {
  const byLength = new Map<number, Set<string>>();
  for (const p of shipped) {
    if (p.length > 0) byLength.set(p.length, (byLength.get(p.length) ?? new Set()).add(p.sha256));
  }
  const checkpoints = [...byLength.keys()].sort((a, b) => a - b);
  const hash: Hash = createHash("sha256");
  let position = 0;
  let next = 0;
  let shippedLength = 0;
  for await (const raw of stream) {
    let chunk = raw as Buffer;
    while (chunk.length > 0) {
      const boundary = next < checkpoints.length ? checkpoints[next] : Infinity;
      const take = Math.min(chunk.length, boundary - position);
      hash.update(chunk.subarray(0, take));
      position += take;
      chunk = chunk.subarray(take);
      if (position === boundary) {
        if (byLength.get(boundary)?.has(hash.copy().digest("hex"))) shippedLength = boundary;
        next++;
      }
    }
  }
  return { shippedLength, totalLength: position, sha256: hash.digest("hex") };
}

/** Bytes [start, end) of the content, gzip-compressed into `target`; resolves with the bytes taken. */
export async function gzipRange(
  stream: Readable,
  start: number,
  end: number,
  target: string,
): Promise<number> {
  let position = 0;
  let taken = 0;
  const slice = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const from = Math.max(0, start - position);
      const to = Math.min(chunk.length, end - position);
      position += chunk.length;
      if (to > from) {
        taken += to - from;
        done(null, chunk.subarray(from, to));
      } else {
        done();
      }
    },
  });
  await pipeline(
    stream,
    slice,
    createGzip(),
    createWriteStream(target, { flags: "wx", mode: 0o600 }),
  );
  return taken;
}
