/**
 * Secrets written in plain text in a stack file: the file is committed, so a credential there is
 * in the repository's history for good. Pulumi's way is `pulumi config set --secret` (the value
 * stored encrypted, `secure:` in the file). Pure module, given which keys were written `secure:`.
 */
import { hidden, secretKind } from "../catalog/schema/shownValue";
import { providerConfig } from "./providerKeys";
import { OFFLINE_SECRET_PLACEHOLDER, type ConfigProblem } from "./stackConfig";

/**
 * One problem per key that holds a secret in plain text, its value hidden: a provider's credential
 * key (the keys its package marks secret: `aws:accessKey`, `aws:secretKey`, `aws:token`), or any
 * value that holds an access key id, a password in a URL or a private key (inside a YAML map too).
 *
 * @param all every config key with its namespace, as Pulumi hands them over
 * @param secretKeys the keys written `secure:`
 */
export function plainSecretProblems(
  project: string,
  all: Readonly<Record<string, string>>,
  secretKeys: readonly string[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(all)) {
    if (secretKeys.includes(key) || value === OFFLINE_SECRET_PLACEHOLDER) continue;
    const [namespace, ...rest] = key.split(":");
    const name = rest.join(":");
    const encrypted = `store it encrypted with \`pulumi config set --secret ${key}\` (written as secure:)`;
    if (namespace !== project && namespace !== "pulumi" && isProviderSecret(namespace, name)) {
      problems.push({
        key,
        value: hidden(value),
        message: `is a credential in plain text in the stack file, which is committed: remove it and let the provider find credentials in the environment (a profile, SSO, a CI role), or ${encrypted}; rotate it, it is in the history`,
      });
      continue;
    }
    const kind = secretKind(value);
    if (kind !== undefined)
      problems.push({
        key,
        value: hidden(value),
        message: `holds ${kind} in plain text in the stack file, which is committed: ${encrypted}; rotate it, it is in the history`,
      });
  }
  return problems;
}

function isProviderSecret(namespace: string, name: string): boolean {
  try {
    return providerConfig(namespace).secretKeys.includes(name);
  } catch {
    // Not a provider package: its namespace has its own problem.
    return false;
  }
}
