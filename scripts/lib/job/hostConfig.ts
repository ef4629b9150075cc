/**
 * Loads the generated host config file (infra/catalog/hostConfig.ts) and works out this host's id.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { HOST_PATHS } from "../../../infra/catalog/documents";
import {
  HOST_ID_PATTERN,
  formatHostConfigProblems,
  parseHostConfig,
  type HostConfig,
} from "../../../infra/catalog/hostConfig";
import { showValue } from "../../../infra/catalog/schema/shownValue";
import { UsageError } from "./errors";

/** The environment variable that points a job at its host config file. */
export const CONFIG_ENV = "STELLAR_BACKUP_CONFIG";

export function hostConfigPath(env: NodeJS.ProcessEnv): string {
  return env[CONFIG_ENV] || HOST_PATHS.configFile;
}

export function loadHostConfig(env: NodeJS.ProcessEnv): {
  readonly path: string;
  readonly config: HostConfig;
} {
  const path = hostConfigPath(env);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read the host config ${path} (${code ?? String(error)})`,
      `run the stack's install document on this host, or set ${CONFIG_ENV} to the file's path`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `host config ${path} is not valid JSON: ${(error as Error).message}`,
      "reinstall it with the install document",
    );
  }
  const parsed = parseHostConfig(json);
  if (!parsed.ok) {
    throw new UsageError(
      formatHostConfigProblems(path, parsed.problems).replace(/\n\s*/g, " "),
      "reinstall it with the install document",
    );
  }
  return { path, config: parsed.config };
}

/** The config's `hostId`, else the machine's short host name; checked because it becomes part of S3 keys. */
export function hostIdOf(config: HostConfig, machineName: string = hostname()): string {
  const id = config.hostId ?? machineName.split(".")[0];
  if (!HOST_ID_PATTERN.test(id)) {
    throw new UsageError(
      `host name ${showValue(id)} cannot be used in S3 keys`,
      "set hostId in the host config to letters, digits, '.', '_' or '-'",
    );
  }
  return id;
}
