/**
 * Bundles each host job (`scripts/jobs/<job>.ts`) into one self-contained `.mjs` that needs only
 * Node.js on the host. Runs at `pulumi up` and in the offline synth; output is byte-identical for
 * identical sources (paths in it are relative to the repository).
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, join, relative } from "node:path";
import { buildSync } from "esbuild";

import { sha256Hex } from "../catalog/sha256";
import { REPO_ROOT } from "../repoRoot";

export { REPO_ROOT };
export const JOBS_SOURCE_DIR = join(REPO_ROOT, "scripts", "jobs");
/** Where bundles are written, relative to the repository (Pulumi file assets resolve from there). */
export const BUNDLE_DIR = join("out", "build", "jobs");
/**
 * The oldest Node.js the bundles target and the installer accepts on a host: 22 LTS (20 reached end
 * of life in April 2026, and @pulumi/pulumi and the AWS SDK's 2027 releases need 22).
 */
export const HOST_NODE_MAJOR = 22;

export interface JobBundle {
  /** Entry file name without extension: `redis-backup`. */
  readonly name: string;
  /** Path relative to the repository root. */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** Some bundled CommonJS packages call `require` for Node built-ins; ESM has none by default. */
const REQUIRE_SHIM = [
  'import { createRequire as __stellarCreateRequire } from "node:module";',
  "const require = __stellarCreateRequire(import.meta.url);",
].join("\n");

/**
 * The bundle's text with every character outside ASCII written as a `\uXXXX` escape. esbuild
 * already escapes them in strings, templates, regular expressions and names (its default ASCII
 * charset) but copies the comments it keeps as they are, so only comments change. A script with
 * even one character above U+00FF (an em dash in a dependency's comment will do) is held by V8 as a
 * two-byte string: twice the bundle's size in memory for the whole run.
 */
function asciiOnly(text: string): string {
  return text.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

export function jobEntryPoints(sourceDir = JOBS_SOURCE_DIR): string[] {
  return readdirSync(sourceDir)
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"))
    .sort()
    .map((file) => join(sourceDir, file));
}

/**
 * Builds into a private directory, hashes from there, then renames each bundle into place: several
 * synths at once (tests run in parallel) never read a half-written bundle or hash another's bytes.
 */
export function bundleJobs(
  entryPoints = jobEntryPoints(),
  outDir = join(REPO_ROOT, BUNDLE_DIR),
): JobBundle[] {
  if (entryPoints.length === 0) return [];
  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(join(outDir, ".staging-"));
  try {
    buildSync({
      absWorkingDir: REPO_ROOT,
      entryPoints,
      outdir: staging,
      outExtension: { ".js": ".mjs" },
      bundle: true,
      platform: "node",
      format: "esm",
      target: `node${HOST_NODE_MAJOR}`,
      // A package's ES module build before its CommonJS one: esbuild can drop what a job never
      // imports from it (most of an AWS SDK client's commands and schemas), which CommonJS hides.
      mainFields: ["module", "main"],
      banner: { js: REQUIRE_SHIM },
      legalComments: "none",
      // Readable on a host at 3 AM: whitespace and names are kept.
      minify: false,
      logLevel: "error",
    });
    return entryPoints.map((entry) => {
      const name = basename(entry, ".ts");
      const built = join(staging, `${name}.mjs`);
      const data = Buffer.from(asciiOnly(readFileSync(built, "utf8")));
      writeFileSync(built, data);
      const file = join(outDir, `${name}.mjs`);
      renameSync(built, file);
      return { name, path: relative(REPO_ROOT, file), sha256: sha256Hex(data), bytes: data.length };
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
