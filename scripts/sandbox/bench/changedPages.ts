/**
 * Which 8 KiB pages of a database's files changed between two moments, seen from the files
 * themselves: a digest of every page of every file under `base/<database oid>/` (heap, indexes,
 * free space and visibility maps), compared page by page. A page counts as changed when its bytes
 * differ or it is new (a file grew or appeared): the bytes a page-exact backup would have to read
 * again. Taken after a CHECKPOINT with no load running, so the files hold what PostgreSQL wrote.
 */
import { createHash } from "node:crypto";
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";

/** PostgreSQL's page (BLCKSZ of a default build), bytes. */
export const PAGE_BYTES = 8192;

/** File name under the directory -> one digest per page, in page order. */
export type PageDigests = ReadonlyMap<string, readonly string[]>;

/** Pages of `after` whose digest differs from the same page in `before`, or that `before` lacks. Pure. */
export function changedPageCount(before: PageDigests, after: PageDigests): number {
  let changed = 0;
  for (const [file, pages] of after) {
    const earlier = before.get(file) ?? [];
    pages.forEach((digest, page) => {
      if (earlier[page] !== digest) changed++;
    });
  }
  return changed;
}

async function fileDigests(path: string): Promise<string[] | undefined> {
  const handle = await open(path, "r").catch((error: NodeJS.ErrnoException) => {
    // A relation dropped while the directory was read (a temporary file) has no pages to count.
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (!handle) return undefined;
  try {
    const digests: string[] = [];
    const page = Buffer.alloc(PAGE_BYTES);
    for (let position = 0; ; position += PAGE_BYTES) {
      const { bytesRead } = await handle.read(page, 0, PAGE_BYTES, position);
      if (bytesRead === 0) return digests;
      digests.push(createHash("md5").update(page.subarray(0, bytesRead)).digest("base64"));
    }
  } finally {
    await handle.close();
  }
}

/** A digest of every page of every file directly under `dir` (a database's `base/<oid>/`). */
export async function pageDigests(dir: string): Promise<PageDigests> {
  const digests = new Map<string, readonly string[]>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const pages = await fileDigests(join(dir, entry.name));
    if (pages) digests.set(entry.name, pages);
  }
  return digests;
}
