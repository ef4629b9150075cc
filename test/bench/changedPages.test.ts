/** Changed pages of a database's files: page digests of a directory, compared page by page. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  changedPageCount,
  PAGE_BYTES,
  pageDigests,
} from "../../scripts/sandbox/bench/changedPages";

const page = (fill: number) => Buffer.alloc(PAGE_BYTES, fill);

describe("changed pages", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  test("counts pages rewritten, pages a file grew by and the pages of a new file; a removed file counts nothing", async () => {
    dir = mkdtempSync(join(tmpdir(), "changed-pages-"));
    writeFileSync(join(dir, "16384"), Buffer.concat([page(1), page(2), page(3)]));
    writeFileSync(join(dir, "16385"), Buffer.concat([page(4), page(5)]));
    writeFileSync(join(dir, "16390"), page(9));
    const before = await pageDigests(dir);

    // Page 1 of 16384 rewritten, 16385 grown by one page, 16386 new (two pages), 16390 removed
    writeFileSync(join(dir, "16384"), Buffer.concat([page(1), page(7), page(3)]));
    writeFileSync(join(dir, "16385"), Buffer.concat([page(4), page(5), page(6)]));
    writeFileSync(join(dir, "16386"), Buffer.concat([page(8), page(8)]));
    rmSync(join(dir, "16390"));
    const after = await pageDigests(dir);

    expect(after.get("16384")).toHaveLength(3);
    expect(changedPageCount(before, after)).toBe(1 + 1 + 2);
    expect(changedPageCount(before, before)).toBe(0);
  });

  test("a change in the last byte of a page counts that page, and a short last page is a page", async () => {
    dir = mkdtempSync(join(tmpdir(), "changed-pages-"));
    const bytes = Buffer.concat([page(0), page(0), Buffer.alloc(100, 0)]);
    writeFileSync(join(dir, "1"), bytes);
    const before = await pageDigests(dir);
    bytes[2 * PAGE_BYTES - 1] = 1;
    writeFileSync(join(dir, "1"), bytes);
    const after = await pageDigests(dir);
    expect(after.get("1")).toHaveLength(3);
    expect(changedPageCount(before, after)).toBe(1);
  });
});
