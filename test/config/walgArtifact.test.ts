/**
 * `walgArtifact`: the wal-g release binary the stack ships to the hosts. Validated with the rest of
 * the stack config (every problem named with its key), and hashed before anything reaches AWS.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { sha256Hex } from "../../infra/catalog/sha256";
import { engineBinaryArtifact } from "../../infra/build/hostPlane";
import { validateStackConfig } from "../../infra/config/validate";

const REGION = "us-east-1";
const dir = mkdtempSync(join(tmpdir(), "walg-artifact-"));
const binary = join(dir, "wal-g");
writeFileSync(binary, "#!/bin/sh\necho 'wal-g version v3.0.9'\n");
const hash = sha256Hex("#!/bin/sh\necho 'wal-g version v3.0.9'\n");

function config(raw: Record<string, string>) {
  return validateStackConfig({ alertEmail: "ops@example.com", ...raw }, REGION);
}

test("a wal-g stack with the binary and its SHA-256 ships it to the engine's binary path, mode 0755", () => {
  const result = config({
    postgresEngine: "wal-g",
    walgArtifact: JSON.stringify({ path: binary, sha256: hash }),
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  expect(result.config.engineBinary).toEqual({ path: binary, sha256: hash });
  expect(engineBinaryArtifact(result.config)).toEqual([
    {
      name: "engine-wal-g",
      dest: "/usr/local/bin/wal-g",
      mode: "0755",
      file: { path: binary, sha256: hash, bytes: 38 },
    },
  ]);
});

test("without walgArtifact nothing is shipped: the host's own install is checked instead", () => {
  const result = config({ postgresEngine: "wal-g" });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  expect(engineBinaryArtifact(result.config)).toEqual([]);
});

test("a binary that does not hash to the pinned SHA-256, or is missing, is a config problem naming the key and what to do", () => {
  const wrong = "0".repeat(64);
  const mismatch = config({
    bucketName: "Bad_Bucket",
    postgresEngine: "wal-g",
    walgArtifact: JSON.stringify({ path: binary, sha256: wrong }),
  });
  expect(mismatch.ok).toBe(false);
  // Reported with the stack's other problems, not after them.
  if (!mismatch.ok)
    expect(mismatch.problems).toEqual([
      expect.objectContaining({ key: "bucketName" }),
      {
        key: "walgArtifact.sha256",
        value: wrong,
        message: `${binary} has SHA-256 ${hash}; download the release again or correct the pinned hash`,
      },
    ]);
  const absent = join(dir, "absent");
  const missing = config({
    postgresEngine: "wal-g",
    walgArtifact: JSON.stringify({ path: absent, sha256: hash }),
  });
  expect(missing.ok).toBe(false);
  if (!missing.ok) {
    expect(missing.problems.map((p) => [p.key, p.value])).toEqual([["walgArtifact.path", absent]]);
    expect(missing.problems[0].message).toMatch(
      /^cannot read the wal-g binary \(ENOENT: .*\): put the release binary there \(a relative path is read from the Pulumi project directory\) or correct the path$/,
    );
  }
});

test("a config that skipped validation still never ships a wrong binary: the same problem, thrown", () => {
  const result = config({
    postgresEngine: "wal-g",
    walgArtifact: JSON.stringify({ path: binary, sha256: hash }),
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const wrong = "0".repeat(64);
  expect(() =>
    engineBinaryArtifact({ ...result.config, engineBinary: { path: binary, sha256: wrong } }),
  ).toThrow(
    `stellar-insights-backup:walgArtifact.sha256 = "${wrong}": ${binary} has SHA-256 ${hash}; download the release again or correct the pinned hash`,
  );
});

test.each([
  [
    "a hash that is not 64 lower-case hex digits",
    { postgresEngine: "wal-g", walgArtifact: JSON.stringify({ path: binary, sha256: "ABC" }) },
    "walgArtifact.sha256",
    "must be the binary's SHA-256 as 64 lower-case hex digits (as wal-g's release page publishes it)",
  ],
  [
    "a pin without its hash",
    { postgresEngine: "wal-g", walgArtifact: JSON.stringify({ path: binary }) },
    "walgArtifact.sha256",
    "is missing: it must be the binary's SHA-256 as 64 lower-case hex digits (as wal-g's release page publishes it)",
  ],
  [
    "a path that climbs out",
    { postgresEngine: "wal-g", walgArtifact: JSON.stringify({ path: "../wal-g", sha256: hash }) },
    "walgArtifact.path",
    "must be the wal-g binary's path, absolute or relative to the Pulumi project, without '..', spaces or shell metacharacters",
  ],
  [
    "an unknown field",
    {
      postgresEngine: "wal-g",
      walgArtifact: JSON.stringify({ path: binary, sha256: hash, url: "https://x" }),
    },
    "walgArtifact.url",
    "unknown field; allowed: path, sha256",
  ],
  [
    "the artifact on a pgBackRest stack",
    { walgArtifact: JSON.stringify({ path: binary, sha256: hash }) },
    "walgArtifact",
    "is only used with postgresEngine: wal-g (this stack's engine is pgbackrest); remove it or switch the engine",
  ],
])("refused: %s", (_name, raw, key, message) => {
  const result = config(raw);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.problems).toContainEqual(expect.objectContaining({ key, message }));
});
