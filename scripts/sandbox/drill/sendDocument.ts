/** The drill's way to run a shipped SSM document: as the agent would, failing on a non-zero exit. */
import type { DocumentKey } from "../../../infra/catalog";
import { sendCommand } from "../agent";
import type { Plan } from "../plan";
import type { Sandbox } from "../sandbox";

/** Runs document `key` with `parameters`; resolves with its stdout, throws with its last stderr line. */
export async function sendDocument(
  plan: Plan,
  sb: Sandbox,
  key: DocumentKey,
  parameters?: Record<string, string>,
): Promise<string> {
  const run = await sendCommand(plan, sb, key, { parameters });
  if (run.exitCode !== 0)
    throw new Error(
      `${key} document exited ${run.exitCode}: ${run.stderr.trim().split("\n").at(-1) ?? ""}`,
    );
  return run.stdout;
}
