/**
 * One Node.js floor everywhere: the bundles' target and the host installer (HOST_NODE_MAJOR), the
 * restore image's default, package.json's engines, and the script CI and the README run through.
 */
import { POSTGRES_ENGINES } from "../../infra/catalog/engines";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { HOST_NODE_MAJOR } from "../../infra/build/bundleJobs";
import { installDocument } from "../../infra/content/host/installDocument";
import { REPO_ROOT } from "../../infra/repoRoot";

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");

test("the floor is Node.js 22 LTS", () => {
  expect(HOST_NODE_MAJOR).toBe(22);
});

test("package.json, the restore image and scripts/node22.sh agree with it", () => {
  const pkg = JSON.parse(read("package.json")) as { engines: { node: string } };
  expect(pkg.engines.node).toBe(`>=${HOST_NODE_MAJOR}`);
  expect(read("infra/images/restore-verification/Dockerfile")).toMatch(
    new RegExp(`^ARG NODE_MAJOR=${HOST_NODE_MAJOR}$`, "m"),
  );
  const script = read("scripts/node22.sh");
  expect(script).toMatch(new RegExp(`^MIN_MAJOR=${HOST_NODE_MAJOR}$`, "m"));
  expect(script).toMatch(new RegExp(`^NODE_VERSION="${HOST_NODE_MAJOR}\\.\\d+\\.\\d+"$`, "m"));
});

test(".ci/run runs npm ci and npm test through scripts/node22.sh", () => {
  const ci = read(".ci/run");
  expect(ci).toMatch(/^node22\(\) \{ bash scripts\/node22\.sh "\$@"; \}$/m);
  expect(ci).toMatch(/^node22 npm ci /m);
  expect(ci).toMatch(/^node22 npm test /m);
});

test("the installer refuses an older Node.js with the fix", () => {
  const script = installDocument({
    bucket: "b",
    manifestKey: `artifacts/manifests/${"0".repeat(64)}.txt`,
    manifestSha256: "0".repeat(64),
    nodeMajor: HOST_NODE_MAJOR,
    engine: POSTGRES_ENGINES.pgbackrest,
  }).script.join("\n");
  expect(script).toContain(
    `if [ "$major" -lt 22 ]; then echo "Node.js $major is too old: the jobs need 22+; install Node.js 22 LTS`,
  );
  expect(script).not.toMatch(/nodejs20|apt-get install -y nodejs/);
});
