/**
 * Reads this project's stack config from Pulumi and validates it before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfigError, type StackConfig } from "./stackConfig";
import { validateStackConfig } from "./validate";

/** The project's config keys without their `<project>:` namespace, values as Pulumi stores them. */
export function projectConfig(
  project: string,
  all: Readonly<Record<string, string>>,
): Record<string, string> {
  const prefix = `${project}:`;
  return Object.fromEntries(
    Object.entries(all)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
}

/** Throws `StackConfigError` listing every problem; nothing is registered before this returns. */
export function loadStackConfig(): StackConfig {
  const project = pulumi.getProject();
  const all = pulumi.runtime.allConfig();
  const result = validateStackConfig(projectConfig(project, all), all["aws:region"]);
  if (!result.ok) throw new StackConfigError(project, result.problems);
  return result.config;
}
