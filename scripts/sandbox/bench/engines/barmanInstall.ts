/**
 * The bench's own install step for barman-cloud: a virtual environment of the system Python
 * (`/usr/bin/python3`: PostgreSQL's OS user runs archive_command and cannot enter root's pyenv)
 * with pinned versions from PyPI, created only when missing. Barman 3.20 needs Python 3.12; the
 * Debian 12 system Python is 3.11, so 3.19.1 is the newest that installs here.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runChecked } from "../../../lib/job/exec";

export const BARMAN_REQUIREMENTS = ["barman[cloud]==3.19.1", "boto3==1.44.5"] as const;
export const SYSTEM_PYTHON = "/usr/bin/python3";

/** Where the environment lives: outside /root, readable by every user. */
export function barmanVenvDir(env = process.env): string {
  return join(env.STELLAR_BENCH_TOOLS_DIR ?? "/opt/stellar-insights-backup-bench", "barman");
}

export interface BarmanCloud {
  readonly binDir: string;
  readonly version: string;
}

/** `barman-cloud-backup --version` prints `barman-cloud-backup 3.19.1`. */
async function installedVersion(binDir: string): Promise<string> {
  const out = await runChecked([join(binDir, "barman-cloud-backup"), "--version"]);
  return `${out.stdout}${out.stderr}`.trim().split(/\s+/).at(-1) ?? "unknown";
}

/**
 * The installed barman-cloud, installing it first when the environment lacks it. Throws (the
 * bench then reports the engine as skipped with this message) when the system Python or its venv
 * module is missing, or pip fails.
 */
export async function ensureBarmanCloud(progress: (message: string) => void): Promise<BarmanCloud> {
  const venv = barmanVenvDir();
  const binDir = join(venv, "bin");
  if (!existsSync(join(binDir, "barman-cloud-backup"))) {
    if (!existsSync(SYSTEM_PYTHON))
      throw new Error(`barman-cloud needs ${SYSTEM_PYTHON} (apt-get install python3 python3-venv)`);
    progress(`installing ${BARMAN_REQUIREMENTS.join(" ")} into ${venv}`);
    await runChecked([SYSTEM_PYTHON, "-m", "venv", venv], { timeoutMs: 5 * 60_000 });
    await runChecked([join(binDir, "pip"), "install", "--quiet", ...BARMAN_REQUIREMENTS], {
      timeoutMs: 15 * 60_000,
    });
  }
  return { binDir, version: await installedVersion(binDir) };
}
