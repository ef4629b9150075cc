import { POSTGRES_ENGINE_KEYS, POSTGRES_ENGINES } from "../../infra/catalog/engines";

/**
 * What a secret in plain text looks like in a resource's inputs: each PostgreSQL engine's own
 * (its descriptor's `plaintextSecretPatterns`: cipher settings with a value), a static AWS key, or
 * the passphrase field the engine config is rendered from. A value that starts with `$` is a shell
 * reference resolved on the host, not a secret. Where a plan shows a `secure:` value offline, it
 * holds a placeholder, never the secret.
 */
export const PLAINTEXT_SECRET_PATTERNS: readonly {
  readonly what: string;
  readonly pattern: RegExp;
}[] = [
  ...POSTGRES_ENGINE_KEYS.flatMap((key) => POSTGRES_ENGINES[key].plaintextSecretPatterns),
  { what: "a repository passphrase", pattern: /"repositoryCipherPass"\s*:\s*"[^"]/ },
  { what: "an AWS secret access key", pattern: /aws_secret_access_key\s*=\s*[^\s$]/i },
  { what: "an AWS access key id", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
];

/** Every string inside `value`, with its path (`content`, `rules[0].id`). */
export function stringsWithin(value: unknown, path = ""): { path: string; text: string }[] {
  if (typeof value === "string") return [{ path: path || "(value)", text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsWithin(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => stringsWithin(v, path ? `${path}.${k}` : k));
  return [];
}

/** SSM parameter names that hold a secret by their name: they must be SecureStrings. */
export const SECRET_PARAMETER_NAME =
  /cipher|pass(word|phrase)?\b|-pass$|secret|private-?key|token/i;
