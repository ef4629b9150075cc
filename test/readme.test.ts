import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { catalogMarkdownTable } from "../infra/content/docs/catalogTable";

const README = readFileSync(join(__dirname, "..", "README.md"), "utf8");

test("README starts with the two commands a newcomer runs, and CI runs the same test command", () => {
  const firstBlock = /```bash\n([\s\S]*?)```/.exec(README)?.[1] ?? "";
  const commands = firstBlock
    .trim()
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim());
  expect(commands).toHaveLength(2);
  // Both through scripts/node22.sh, as CI: the project needs Node.js 22.
  expect(commands[1]).toBe("scripts/node22.sh npm ci && scripts/node22.sh npm test");
  const ci = readFileSync(join(__dirname, "..", ".ci", "run"), "utf8");
  expect(ci).toContain('node22() { bash scripts/node22.sh "$@"; }');
  expect(ci).toContain("node22 npm ci ");
  expect(ci).toContain("node22 npm test ");
});

test("the README's catalog table is the catalog", () => {
  const table = /<!-- catalog-table:start -->\n([\s\S]*?)\n<!-- catalog-table:end -->/.exec(
    README,
  )?.[1];
  expect(table, "regenerate the table: see the README's catalog section").toBe(
    catalogMarkdownTable(),
  );
});
