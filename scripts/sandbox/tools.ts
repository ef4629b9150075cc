/**
 * Finds the real programs the sandbox runs. A missing one is an error that names the install
 * command: tests never skip silently.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The installer of the sandbox's tools, relative to the repository root. */
export const INSTALL_SCRIPT = "scripts/sandbox/install-tools.sh";
export const INSTALL_COMMAND = `bash ${INSTALL_SCRIPT}`;
/** PostgreSQL major version the sandbox runs (what Debian bookworm ships). */
export const SANDBOX_PG_MAJOR = 15;
export const SANDBOX_PG_BIN = `/usr/lib/postgresql/${SANDBOX_PG_MAJOR}/bin`;

export class MissingToolError extends Error {
  constructor(tool: string, packageHint: string) {
    super(`${tool} is not installed: run '${INSTALL_COMMAND}' (it does ${packageHint})`);
    this.name = "MissingToolError";
  }
}

export function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(name: string, path = process.env.PATH ?? ""): string | undefined {
  if (name.includes("/")) return executable(name) ? name : undefined;
  return path
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(executable);
}

const PACKAGE_HINTS: Readonly<Record<string, string>> = {
  "redis-server": "apt-get install -y redis-server",
  "redis-cli": "apt-get install -y redis-server",
  "redis-check-rdb": "apt-get install -y redis-server",
  moto_server: "pip install 'moto[server]'",
  runuser: "apt-get install -y util-linux",
  [`${SANDBOX_PG_BIN}/initdb`]: `apt-get install -y postgresql-${SANDBOX_PG_MAJOR}`,
  [`${SANDBOX_PG_BIN}/pg_ctl`]: `apt-get install -y postgresql-${SANDBOX_PG_MAJOR}`,
};

/** The program's path, or a `MissingToolError` that says how to install it. */
export function requireTool(name: string): string {
  const found = findOnPath(name);
  if (!found) throw new MissingToolError(name, PACKAGE_HINTS[name] ?? `the install for ${name}`);
  return found;
}
