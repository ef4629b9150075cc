/**
 * The whole config a program run sees (`"<namespace>:<key>"` → string, as Pulumi hands it over)
 * checked at once: the namespaces first, then the project's keys. Pure module.
 */
import { plainSecretProblems } from "./plainSecrets";
import { closestKey, providerConfig } from "./providerKeys";
import type { ConfigProblem } from "./stackConfig";
import { hidden } from "../catalog/schema/shownValue";
import { validateStackConfig, type ValidationOptions, type ValidationResult } from "./validate";

/**
 * Namespaces this program may be given config in besides its own: the providers it uses (and so
 * reads config of) and Pulumi's own settings.
 */
export const PROVIDER_NAMESPACES = ["aws", "command", "docker", "pulumi"] as const;

/** Namespaces whose keys are checked against the provider package's own (`pulumi:` is Pulumi's). */
const CHECKED_PROVIDERS = PROVIDER_NAMESPACES.filter((namespace) => namespace !== "pulumi");

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
 * Keys of a provider's namespace that the provider does not read (infra/config/providerKeys.ts):
 * one problem each, naming the closest key it reads when there is one, else all of them.
 */
export function providerKeyProblems(all: Readonly<Record<string, string>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(all)) {
    const [namespace, ...rest] = key.split(":");
    if (!(CHECKED_PROVIDERS as readonly string[]).includes(namespace)) continue;
    const name = rest.join(":");
    const provider = providerConfig(namespace);
    if (provider.keys.includes(name)) continue;
    const near = closestKey(name, provider.keys);
    const reads =
      provider.keys.length === 0
        ? `${provider.package} reads no config`
        : `${provider.package} reads ${provider.keys.join(", ")}`;
    problems.push({
      key,
      // A misspelt credential key still holds a credential.
      value: closestKey(name, provider.secretKeys) === undefined ? value : hidden(value),
      message:
        near === undefined
          ? `is not a key of the ${namespace} provider, which would ignore it: ${reads}`
          : `is not a key of the ${namespace} provider, which would ignore it: did you mean ${namespace}:${near}? (${reads})`,
    });
  }
  return problems;
}

/**
 * `problems` with the value of every key written `secure:` hidden: under `pulumi up` it holds the
 * decrypted secret (a problem inside a YAML map hides too).
 */
function withSecretsHidden(
  project: string,
  problems: readonly ConfigProblem[],
  secretKeys: readonly string[],
): ConfigProblem[] {
  const secret = (key: string) => {
    const full = key.includes(":") ? key : `${project}:${key}`;
    return secretKeys.some((k) => full === k || full.startsWith(`${k}.`));
  };
  return problems.map((p) => (secret(p.key) ? { ...p, value: hidden(p.value) } : p));
}

/** Options of a whole program config check. */
export interface ProgramValidationOptions extends ValidationOptions {
  /**
   * Keys whose values were written `secure:` (Pulumi's config secret keys); a credential that is
   * not among them is in plain text in the stack file.
   */
  readonly secretKeys?: readonly string[];
}

/**
 * @param project the Pulumi project name (`Pulumi.yaml`'s `name`), the namespace of its keys
 * @param all every config key of the stack with its namespace, as `pulumi.runtime.allConfig()`
 * @returns the validated `StackConfig`, or every problem: namespaces, provider keys and plain-text
 *   secrets first, then the project's
 */
export function validateProgramConfig(
  project: string,
  all: Readonly<Record<string, string>>,
  options: ProgramValidationOptions = {},
): ValidationResult {
  const foreign = [
    ...namespaceProblems(project, all),
    ...providerKeyProblems(all),
    ...plainSecretProblems(project, all, options.secretKeys ?? []),
  ];
  const result = validateStackConfig(projectConfig(project, all), all["aws:region"], options);
  if (foreign.length === 0 && result.ok) return result;
  const problems = [...foreign, ...(result.ok ? [] : result.problems)];
  return { ok: false, problems: withSecretsHidden(project, problems, options.secretKeys ?? []) };
}
