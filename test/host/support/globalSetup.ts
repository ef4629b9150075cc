/**
 * Synthesizes the prod stack once into a temp dir for every host test file: the sandbox builds
 * its bucket from that plan, as it would from `npm run synth` output.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesize } from "../../../scripts/sandbox/plan";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "stellar-host-tests-synth-"));
  const synthDir = join(dir, "prod");
  synthesize("prod", synthDir);
  process.env.STELLAR_SANDBOX_SYNTH_DIR = synthDir;
  // The SDK's "Node.js 22 soon" notice would repeat in every test process; CI pins Node.js itself.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  return () => rmSync(dir, { recursive: true, force: true });
}
