/**
 * Reads this project's stack config from Pulumi and validates it before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import type { HostConfig } from "../catalog/hostConfig";
import { StackConfigError, type StackConfig } from "./stackConfig";
import { validateProgramConfig } from "./programConfig";

export { projectConfig } from "./programConfig";

/**
 * Whether the runtime says `key` was written `secure:`. `isConfigSecret` is exported by
 * @pulumi/pulumi's runtime but not declared in its types; without it, only values offline synth
 * could not decrypt count as secure, so a credential is refused rather than let through.
 */
function isSecret(key: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return runtime.isConfigSecret?.(key) ?? false;
}

/** The validated stack config and the host config it renders for this stack (rendered once). */
export interface LoadedStackConfig {
  readonly config: StackConfig;
  readonly hostConfig: HostConfig;
}

/** Throws `StackConfigError` listing every problem; nothing is registered before this returns. */
export function loadStackConfig(): LoadedStackConfig {
  const project = pulumi.getProject();
  const all = pulumi.runtime.allConfig();
  const secretKeys = Object.keys(all).filter(isSecret);
  const result = validateProgramConfig(project, all, { secretKeys, stack: pulumi.getStack() });
  if (!result.ok) throw new StackConfigError(project, result.problems);
  return { config: result.config, hostConfig: result.hostConfig };
}
