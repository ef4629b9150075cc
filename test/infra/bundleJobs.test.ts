/**
 * What the job bundles are made of: ASCII only (V8 holds a script with one wider character at
 * twice its size) and packages' ES module builds, which esbuild can trim to what a job imports.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { bundleJobs, JOBS_SOURCE_DIR } from "../../infra/build/bundleJobs";
import { sha256Hex } from "../../infra/catalog/sha256";
import { REPO_ROOT } from "../../infra/repoRoot";

const dir = mkdtempSync(join(tmpdir(), "bundle-jobs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a bundle is ASCII only, comments included, and its strings are unchanged", () => {
  const entry = join(dir, "fixture-job.ts");
  writeFileSync(
    entry,
    [
      "export class Greeter {",
      "  /** A comment esbuild keeps — with an em dash. */",
      "  greeting(): string {",
      '    return "naïve — ✓";',
      "  }",
      "}",
      "console.log(new Greeter().greeting());",
      "",
    ].join("\n"),
  );
  const [bundle] = bundleJobs([entry], join(dir, "out"));
  const file = join(REPO_ROOT, bundle.path);
  const bytes = readFileSync(file);
  const text = bytes.toString("utf8");

  expect(text).not.toMatch(/[\u0080-\uffff]/);
  expect(text).toContain("/** A comment esbuild keeps \\u2014 with an em dash. */");
  expect(bundle.bytes).toBe(bytes.length);
  expect(bundle.sha256).toBe(sha256Hex(bytes));
  expect(execFileSync(process.execPath, [file], { encoding: "utf8" })).toBe("naïve — ✓\n");
});

test("the health check takes the AWS SDK clients' ES module builds", () => {
  const [bundle] = bundleJobs([join(JOBS_SOURCE_DIR, "health-check.ts")], join(dir, "jobs"));
  const text = readFileSync(join(REPO_ROOT, bundle.path), "utf8");
  expect(text).toMatch(/@aws-sdk\/client-s3\/dist-es\//);
  expect(text).not.toMatch(/@aws-sdk\/client-s3\/dist-cjs\//);
});
