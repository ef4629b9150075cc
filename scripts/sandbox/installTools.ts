/**
 * The sandbox's tools installed by the commands that run it (sandbox, drill, bench) once their
 * command line has been read, so `--help` and a bad command line install nothing. An npm
 * `pre<script>` hook cannot tell: npm 11 gives it none of the command's arguments (no
 * `npm_config_argv`, no "$@"). `npm test` keeps its `pretest` hook: it has no `--help`.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../../infra/repoRoot";
import { INSTALL_COMMAND, INSTALL_SCRIPT } from "./tools";

/**
 * Runs install-tools.sh (idempotent, about 1 s when everything is there; apt-get and pip only for
 * what is missing), its progress lines on this process's stdout and stderr. When it fails, writes
 * `<name>: <command> failed (exit N): …` to stderr and exits 1: nothing the command does can run.
 */
export function installSandboxTools(name: string): void {
  const result = spawnSync("bash", [join(REPO_ROOT, INSTALL_SCRIPT)], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (result.status === 0) return;
  const how = result.error
    ? result.error.message
    : result.signal
      ? `killed by ${result.signal}`
      : `exit ${result.status}`;
  process.stderr.write(
    `${name}: ${INSTALL_COMMAND} failed (${how}): the sandbox's tools are missing\n`,
  );
  process.exit(1);
}
