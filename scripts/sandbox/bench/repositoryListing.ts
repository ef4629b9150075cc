/**
 * An engine's repository seen from the bucket, the same way for every engine: the bytes it stores
 * under its prefix (every object, current versions), and the WAL segments it holds, recognised by
 * their file names (pgBackRest `<segment>-<sha1>.<ext>`, barman-cloud `<segment>[.<ext>]`, wal-g
 * `<segment>.<ext>`).
 */
import {
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";

const SEGMENT_FILE =
  /(?:^|\/)([0-9A-F]{24})(?:-[0-9a-f]{40})?(?:\.(?:gz|bz2|lz4|zst|zstd|xz|br|snappy|lzma))?$/;

/** The segment name in an object key; undefined for history files, partials, backup labels. */
export function segmentOfKey(key: string): string | undefined {
  return SEGMENT_FILE.exec(key)?.[1];
}

export interface RepositoryListing {
  readonly objects: number;
  readonly bytes: number;
  readonly segments: readonly string[];
}

/** Sums the listing of `prefix` (every page). */
export async function listRepository(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<RepositoryListing> {
  let objects = 0;
  let bytes = 0;
  const segments: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      objects++;
      bytes += object.Size ?? 0;
      const segment = object.Key ? segmentOfKey(object.Key) : undefined;
      if (segment) segments.push(segment);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { objects, bytes, segments };
}

/**
 * Deletes every version under `prefix` (the bucket is versioned): moto keeps objects in memory.
 * Always lists from the start again after a delete rather than following markers, which a delete
 * in between may invalidate; stops when nothing is left.
 */
export async function removeRepository(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<void> {
  for (;;) {
    const page = await client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }),
    );
    const victims = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key!,
      VersionId: v.VersionId,
    }));
    if (victims.length === 0) return;
    await client.send(
      // Under the plan's GOVERNANCE lock: the sandbox's own (root) credentials bypass it.
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: victims, Quiet: true },
        BypassGovernanceRetention: true,
      }),
    );
  }
}
