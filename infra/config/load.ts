/**
 * Reads this project's stack config from Pulumi and validates it before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfigError, type StackConfig } from "./stackConfig";
import { validateProgramConfig } from "./programConfig";

export { projectConfig } from "./programConfig";

/** Throws `StackConfigError` listing every problem; nothing is registered before this returns. */
export function loadStackConfig(): StackConfig {
  const project = pulumi.getProject();
  const all = pulumi.runtime.allConfig();
  const result = validateProgramConfig(project, all);
  if (!result.ok) throw new StackConfigError(project, result.problems);
  return result.config;
}
