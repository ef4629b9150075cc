/**
 * A variant of the sandbox's host config in a file of its own, for a run as another host or with
 * one setting changed: the environment a job needs to read it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  overrideHostConfig,
  serializeHostConfig,
} from "../../../infra/content/host/hostConfigFile";
import type { Sandbox } from "../../../scripts/sandbox/sandbox";

/** Writes `<sandbox dir>/host-config-<name>.json` and returns the sandbox's env pointing at it. */
export function hostConfigVariant(
  sb: Sandbox,
  name: string,
  overrides: Parameters<typeof overrideHostConfig>[1],
): Record<string, string> {
  const path = join(sb.dir, `host-config-${name}.json`);
  writeFileSync(path, serializeHostConfig(overrideHostConfig(sb.hostConfig, overrides)));
  return { ...sb.env, STELLAR_BACKUP_CONFIG: path };
}
