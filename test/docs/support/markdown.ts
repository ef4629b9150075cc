/**
 * The project's Markdown pages (the README and everything under docs/) as tests read them: their
 * text, their heading anchors by GitHub's rules, and their links, code left out.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../../infra/repoRoot";

/** Paths from the repository root, `/`-separated, sorted: README.md, then docs/**\/*.md. */
export function markdownPages(): string[] {
  const docs = readdirSync(join(REPO_ROOT, "docs"), { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".md"))
    .map((path) => `docs/${path.split("\\").join("/")}`)
    .sort();
  return ["README.md", ...docs];
}

/** One page's text, by its path from the repository root. */
export function readPage(path: string): string {
  return readFileSync(join(REPO_ROOT, path), "utf8");
}

/** Every page's text, one after the other: what a search of "the docs" reads. */
export function readAllPages(): string {
  return markdownPages()
    .map((path) => readPage(path))
    .join("\n");
}

/** Each line with fenced code blocks blanked (kept as empty lines, so line numbers hold). */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line;
  });
}

/**
 * GitHub's anchor for a heading's text: lower case, every character but letters, marks, digits,
 * `_`, `-` and spaces dropped, spaces to `-`.
 */
export function githubSlug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}_\- ]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a page's headings make; a repeated one gets `-1`, `-2`… as on GitHub. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6} +(.+?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

export interface MarkdownLink {
  /** As written between the parentheses: `docs/engines.md#wal-g`, `#alarm-heartbeat`, `https://…`. */
  readonly target: string;
  /** 1-based line of the page it is on. */
  readonly line: number;
}

/** Every inline link `[text](target)` outside code blocks and code spans, in page order. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  return proseLines(markdown).flatMap((text, index) =>
    [...text.replace(/`[^`]*`/g, "").matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
      (m) => ({ target: m[1], line: index + 1 }),
    ),
  );
}
