/**
 * The restore-verification image's build inputs agree with its Dockerfile. (No Docker engine here:
 * `pulumi up` builds it; these checks keep the two from drifting apart.)
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { BUNDLE_DIR } from "../../infra/build/bundleJobs";
import { POSTGRES_ENGINE_KEYS } from "../../infra/catalog/engines";
import {
  RESTORE_IMAGE_DOCKERFILE,
  RESTORE_TEST_BUNDLE,
  restoreImageBuild,
  restoreImageTag,
} from "../../infra/content/aws/restoreImage";

const ROOT = join(__dirname, "..", "..");
const dockerfile = readFileSync(join(ROOT, RESTORE_IMAGE_DOCKERFILE), "utf8");
const instructions = dockerfile
  .split("\n")
  .filter((line) => line.trim() !== "" && !line.startsWith("#"))
  .join("\n")
  .replace(/\\\n\s*/g, " ");
const build = restoreImageBuild({
  pgMajorVersion: 15,
  postgresEngine: "pgbackrest",
  nodeMajorVersion: 22,
  bundleDir: BUNDLE_DIR,
  platform: "linux/arm64",
});

test("build inputs: the bundle directory as context, the repository's Dockerfile, the stack's versions", () => {
  expect(build).toEqual({
    context: "out/build/jobs",
    dockerfile: "infra/images/restore-verification/Dockerfile",
    platform: "linux/arm64",
    builderVersion: "BuilderBuildKit",
    args: { PG_MAJOR: "15", ENGINE: "pgbackrest", NODE_MAJOR: "22" },
  });
  expect(restoreImageTag(15, "pgbackrest")).toBe("pg15-pgbackrest");
});

test("every build argument is one the Dockerfile declares, with the same default as the stack's runbook values", () => {
  for (const arg of Object.keys(build.args))
    expect(instructions, arg).toMatch(new RegExp(`^ARG ${arg}=`, "m"));
  expect(instructions).toContain("ARG ENGINE=pgbackrest");
  expect(instructions).toContain("ARG PG_MAJOR=14");
});

test("PostgreSQL from the official image of the hosts' major; one stage per engine, none built from source; Node.js; the bundle", () => {
  expect(instructions).toContain("FROM postgres:${PG_MAJOR}-bookworm AS base");
  expect(instructions).toContain("FROM engine-${ENGINE}");
  for (const engine of POSTGRES_ENGINE_KEYS)
    expect(instructions).toContain(`FROM base AS engine-${engine}`);
  expect(instructions).toContain("apt-get install -y --no-install-recommends pgbackrest");
  expect(instructions).not.toMatch(/go (install|build)|git clone/);
  expect(instructions).toContain("COPY --from=node /usr/local/bin/node /usr/local/bin/node");
  expect(instructions).toContain(
    `COPY ${RESTORE_TEST_BUNDLE} /opt/stellar-insights-backup/jobs/${RESTORE_TEST_BUNDLE}`,
  );
  expect(instructions).toMatch(/^USER postgres$/m);
  // The context is the bundle directory: only the bundle, and wal-g's release binary for that engine.
  const fromContext = instructions
    .split("\n")
    .filter((l) => l.startsWith("COPY ") && !l.startsWith("COPY --from="));
  expect(fromContext).toEqual([
    "COPY wal-g /usr/local/bin/wal-g",
    `COPY ${RESTORE_TEST_BUNDLE} /opt/stellar-insights-backup/jobs/${RESTORE_TEST_BUNDLE}`,
  ]);
});

test("the Dockerfile path is relative to the project root, where Pulumi runs the program", () => {
  expect(existsSync(join(ROOT, build.dockerfile))).toBe(true);
  expect(build.context.startsWith("/")).toBe(false);
});
