/**
 * The sandbox's host config comes from the synth artifact when this release wrote it, else from
 * the stack file: an `out/` left from before an update must not stop the drill.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test, vi } from "vitest";
import { HOST_CONFIG_SCHEMA_VERSION } from "../../infra/catalog/hostConfig";
import { serializeHostConfig } from "../../infra/content/host/hostConfigFile";
import { stackHostConfig } from "../../scripts/sandbox/sandbox";

function synthDirWith(artifact: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "synth-"));
  mkdirSync(join(dir, "artifacts"));
  writeFileSync(join(dir, "artifacts", "host-config.json"), JSON.stringify(artifact));
  return dir;
}

afterEach(() => vi.restoreAllMocks());

test("an artifact of another release is passed over, saying so, and the stack file is rendered", () => {
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  const config = stackHostConfig("prod", synthDirWith({ schemaVersion: 3, stanza: "main" }));
  expect(config.schemaVersion).toBe(HOST_CONFIG_SCHEMA_VERSION);
  expect(String(stderr.mock.calls[0]?.[0])).toMatch(
    /was written by another release \(schemaVersion 3, this one reads \d+\): rendering the host config from the stack file instead; run 'npm run synth' to refresh it/,
  );
});

test("an artifact of this release is used as written, and one that does not validate is an error", () => {
  const rendered = stackHostConfig("prod", mkdtempSync(join(tmpdir(), "no-synth-")));
  const own = { ...rendered, metricNamespace: "From/Synth" };
  expect(
    stackHostConfig("prod", synthDirWith(JSON.parse(serializeHostConfig(own)))).metricNamespace,
  ).toBe("From/Synth");
  expect(() => stackHostConfig("prod", synthDirWith({ ...own, region: "nowhere" }))).toThrow(
    /is not a valid host config: region:/,
  );
});
