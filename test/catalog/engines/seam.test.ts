/**
 * The PostgreSQL engine seam is sealed: outside the engines' own folders (the catalog's
 * descriptors and the host's adapters), the sandbox tools and the restore image's Dockerfile, no
 * file under infra/, scripts/ or policies/ names an engine, not even in a comment. What an engine
 * can do is asked of its descriptor; a third engine touches its two folders and the registry.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { expect, test } from "vitest";

const ROOT = join(__dirname, "..", "..", "..");
const SEARCHED = ["infra", "scripts", "policies"];
/** Paths relative to the root, `/`-separated: a folder ends in `/`. */
const ALLOWED = [
  "infra/catalog/engines/",
  "scripts/lib/engines/",
  "scripts/sandbox/",
  "infra/images/restore-verification/Dockerfile",
];
const ENGINE_NAME = /pgbackrest|wal-g|walg/i;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

function isAllowed(path: string): boolean {
  return ALLOWED.some((allowed) =>
    allowed.endsWith("/") ? path.startsWith(allowed) : path === allowed,
  );
}

test("no file outside the engines' folders names an engine", () => {
  const files = SEARCHED.flatMap((dir) => filesUnder(join(ROOT, dir)))
    .map((path) => relative(ROOT, path).split(sep).join("/"))
    .filter((path) => !isAllowed(path));
  expect(files.length).toBeGreaterThan(100);
  const named = files.flatMap((path) => {
    const text = readFileSync(join(ROOT, path), "utf8");
    if (text.includes("\0")) return [];
    return text
      .split("\n")
      .flatMap((line, i) => (ENGINE_NAME.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : []));
  });
  expect(named, "ask the engine's descriptor or adapter instead of naming it").toEqual([]);
});
