/**
 * The whole config a program run sees (`"<namespace>:<key>"` → string, as Pulumi hands it over)
 * checked at once: the namespaces first, then the project's keys. Pure module.
 */
import type { ConfigProblem } from "./stackConfig";
import { validateStackConfig, type ValidationOptions, type ValidationResult } from "./validate";

/**
 * Namespaces this program may be given config in besides its own: the providers it uses (and so
 * reads config of) and Pulumi's own settings.
 */
export const PROVIDER_NAMESPACES = ["aws", "command", "docker", "pulumi"] as const;

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

/**
 * Keys in a namespace that is neither the project's nor a provider's: a misspelt project name
 * (`stellar-insight-backup:retentionDays`) would otherwise be ignored without a word and its
 * value silently replaced by the default. One problem per key, naming the namespace meant.
 */
export function namespaceProblems(
  project: string,
  all: Readonly<Record<string, string>>,
): ConfigProblem[] {
  const allowed = new Set<string>([project, ...PROVIDER_NAMESPACES]);
  return Object.entries(all)
    .filter(([key]) => !allowed.has(key.split(":")[0]))
    .map(([key, value]) => {
      const [namespace, ...rest] = key.split(":");
      const name = rest.join(":");
      return {
        key: key.includes(":") ? key : `(no namespace) ${key}`,
        value,
        message: key.includes(":")
          ? `unknown namespace '${namespace}': this project's keys are '${project}:<key>' (write '${project}:${name}'); other namespaces allowed: ${PROVIDER_NAMESPACES.join(", ")}`
          : `has no namespace: write '${project}:${key}' (or 'aws:${key}' for the AWS provider)`,
      };
    });
}

/**
 * @param project the Pulumi project name (`Pulumi.yaml`'s `name`), the namespace of its keys
 * @param all every config key of the stack with its namespace, as `pulumi.runtime.allConfig()`
 * @returns the validated `StackConfig`, or every problem: namespaces first, then the project's
 */
export function validateProgramConfig(
  project: string,
  all: Readonly<Record<string, string>>,
  options: ValidationOptions = {},
): ValidationResult {
  const foreign = namespaceProblems(project, all);
  const result = validateStackConfig(projectConfig(project, all), all["aws:region"], options);
  if (foreign.length === 0) return result;
  return { ok: false, problems: [...foreign, ...(result.ok ? [] : result.problems)] };
}
