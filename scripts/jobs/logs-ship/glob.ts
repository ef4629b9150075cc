/**
 * Expands absolute globs with `*` and `?` inside path segments (no `**`, no braces): enough for
 * log paths such as `/var/log/nginx/*.log*`, without a dependency. Hidden entries match only a
 * pattern that starts with a dot, as in a shell.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";

function segmentPattern(segment: string): RegExp {
  const body = segment
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${body}$`);
}

/** Regular files matching `pattern`, sorted. */
export async function expandGlob(pattern: string): Promise<string[]> {
  let bases = ["/"];
  for (const segment of pattern.split("/").filter(Boolean)) {
    const next: string[] = [];
    for (const base of bases) {
      if (!/[*?]/.test(segment)) {
        next.push(join(base, segment));
        continue;
      }
      const matcher = segmentPattern(segment);
      const names = await fs.readdir(base).catch(() => [] as string[]);
      for (const name of names) {
        if (matcher.test(name) && (!name.startsWith(".") || segment.startsWith(".")))
          next.push(join(base, name));
      }
    }
    bases = next;
  }
  const files: string[] = [];
  for (const path of bases) {
    const stat = await fs.stat(path).catch(() => undefined);
    if (stat?.isFile()) files.push(path);
  }
  return files.sort();
}

/** Every file matched by any of the patterns, once, sorted. */
export async function expandGlobs(patterns: readonly string[]): Promise<string[]> {
  const all = await Promise.all(patterns.map(expandGlob));
  return [...new Set(all.flat())].sort();
}
