/**
 * Whether wal-g can be had here, and if not, the exact reason: the sandbox's cached build, else
 * the Go module proxy's own answer for the pinned version (a metadata request, nothing is built).
 */
import { tmpdir } from "node:os";
import { WALG_VERSION } from "../../infra/content/host/installDocument";
import { runCommand } from "../lib/exec";
import { WALG_CACHE_BINARY } from "./sandbox";
import { executable, findOnPath } from "./tools";

export const WALG_MODULE = "github.com/wal-g/wal-g";

/** undefined when wal-g is installed where the sandbox looks for it; otherwise why it is not. */
export async function walgUnavailableReason(
  binary = WALG_CACHE_BINARY,
): Promise<string | undefined> {
  if (executable(binary)) return undefined;
  const missing = `wal-g ${WALG_VERSION} is not installed at ${binary}`;
  if (!findOnPath("go")) return `${missing}, and Go is not installed to build it`;
  const command = ["go", "list", "-m", "-json", `${WALG_MODULE}@${WALG_VERSION}`];
  // Outside any module, so the query is about wal-g alone.
  const result = await runCommand(command, { cwd: tmpdir(), timeoutMs: 60_000 });
  if (result.code !== 0)
    return `${missing}: \`${command.join(" ")}\` failed: ${result.stderr.trim()}`;
  return `${missing}: the Go module proxy now serves it; run 'bash scripts/sandbox/install-tools.sh'`;
}
