/**
 * Every relative link a reader can follow resolves: those of the README and of docs/, and those
 * the plan's pages carry (alarm descriptions, the failed-job message). The file must exist and
 * its anchor must be one of that page's headings (GitHub's rules), so a renamed heading or a
 * moved page fails here, naming the page, the line and the link, instead of at 3 AM.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { expect, test } from "vitest";
import { commandFailureMessage } from "../../infra/content/aws/failureEvents";
import { REPO_ROOT } from "../../infra/repoRoot";
import { headingAnchors, markdownLinks, markdownPages, readPage } from "./support/markdown";
import { everyAlarmDefinition } from "./support/everyAlarm";

/**
 * Why `target`, written in the page `from` (a path from the repository root), does not resolve;
 * null when it does. A target without a path is an anchor of `from` itself.
 */
function brokenBecause(from: string, target: string): string | null {
  const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
  const path = pathPart === "" ? from : normalize(join(dirname(from), decodeURI(pathPart)));
  if (path.startsWith("..")) return "points outside the repository";
  if (!existsSync(join(REPO_ROOT, path))) return `${path} does not exist`;
  if (anchor === undefined) return null;
  if (statSync(join(REPO_ROOT, path)).isDirectory() || !path.endsWith(".md"))
    return `${path} is not a Markdown page, so it has no #${anchor}`;
  return headingAnchors(readPage(path)).has(anchor) ? null : `${path} has no heading #${anchor}`;
}

const isRelative = (target: string) => !/^[a-z][a-z0-9+.-]*:/i.test(target);

test.each(markdownPages())("every relative link in %s resolves", (page) => {
  const broken = markdownLinks(readPage(page))
    .filter((link) => isRelative(link.target))
    .map((link) => ({ ...link, why: brokenBecause(page, link.target) }))
    .filter((link) => link.why !== null)
    .map((link) => `${page}:${link.line}: (${link.target}): ${link.why}`);
  expect(broken).toEqual([]);
});

test("the docs pages are the README's and docs/'s Markdown, the runbook among them", () => {
  expect(markdownPages()).toEqual(
    expect.arrayContaining(["README.md", "docs/README.md", "docs/runbook/alarms.md"]),
  );
});

/** Every alarm the prod options can make (RTO and replication on), and the failed-job page. */
function planPageTexts(): string[] {
  const alarms = everyAlarmDefinition();
  const failed = commandFailureMessage({ stack: "prod", outputLogGroupName: "g" }).inputTemplate;
  return [...Object.entries(alarms).map(([key, a]) => `alarm ${key}: ${a.description}`), failed];
}

test("every link in the plan's alarm descriptions and failed-job page resolves from the repository root", () => {
  const texts = planPageTexts();
  const links = texts.flatMap((text) =>
    [...text.matchAll(/([\w./-]+\.md(?:#[\w-]+)?)/g)].map((m) => ({ text, target: m[1] })),
  );
  // Each text links to its section: none lost on the way.
  expect(links).toHaveLength(texts.length);
  const broken = links
    // A page on AWS is read against the repository root, as the README's links are.
    .map((link) => ({ ...link, why: brokenBecause("README.md", link.target) }))
    .filter((link) => link.why !== null)
    .map((link) => `(${link.target}) in "${link.text}": ${link.why}`);
  expect(broken).toEqual([]);
});

/** Source files whose messages may send a reader to the docs: what ships, and the drill's report. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(dir, file));
}

test("every docs page a program's message names resolves from the repository root", () => {
  const mentions = ["infra", "scripts", "policies"].flatMap(sourceFiles).flatMap((file) =>
    readFileSync(join(REPO_ROOT, file), "utf8")
      .split("\n")
      .flatMap((text, index) =>
        [...text.matchAll(/\b(docs\/[\w./-]+\.md(?:#[\w-]+)?)(\$\{)?/g)]
          // A link built in a template (`#alarm-${kind}`), or its stem in a comment (`#alarm-<kind>`),
          // is checked where it is built: the plan test above.
          .filter((m) => m[2] === undefined && !m[1].endsWith("-"))
          .map((m) => ({ where: `${file}:${index + 1}`, target: m[1] })),
      ),
  );
  // The wal-g messages and the drill report name pages: the search finds them.
  expect(mentions.length).toBeGreaterThan(3);
  const broken = mentions
    .map((mention) => ({ ...mention, why: brokenBecause("README.md", mention.target) }))
    .filter((mention) => mention.why !== null)
    .map((mention) => `${mention.where}: (${mention.target}): ${mention.why}`);
  expect(broken).toEqual([]);
});
