/**
 * The config keys each provider this program uses reads, and which of them hold credentials, both
 * taken from the installed provider packages, never from a list kept here: a key the provider does
 * not read (`aws:regoin`) is ignored by it without a word, and its value (the region!) silently
 * replaced by the provider's default.
 *
 * A Pulumi provider package generates `config/vars.js` with one property per config key the
 * provider reads, and its `provider.js` names the keys it treats as secrets
 * (`additionalSecretOutputs`). A provider without `config/vars.js` reads no config.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const requireHere = createRequire(__filename);

export interface ProviderConfig {
  /** The provider's package and version, for messages (`@pulumi/aws 7.48.0`). */
  readonly package: string;
  /** The config keys it reads, without the namespace, sorted. */
  readonly keys: readonly string[];
  /** Those it marks secret (credentials). */
  readonly secretKeys: readonly string[];
}

const cache = new Map<string, ProviderConfig>();

/**
 * @param namespace a provider's config namespace (`aws`), also its package name under `@pulumi/`
 * @throws Error when the package is not installed (the program imports every provider it uses)
 */
export function providerConfig(namespace: string): ProviderConfig {
  const known = cache.get(namespace);
  if (known !== undefined) return known;
  const name = `@pulumi/${namespace}`;
  const manifest = requireHere(`${name}/package.json`) as { version: string };
  let keys: string[] = [];
  try {
    // Property names only: the getters (which read the config) are not called.
    keys = Object.keys(requireHere(`${name}/config/vars`) as object).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
  }
  let secretKeys: string[] = [];
  try {
    const source = readFileSync(requireHere.resolve(`${name}/provider`), "utf8");
    const listed = /additionalSecretOutputs:\s*\[([^\]]*)\]/.exec(source)?.[1] ?? "";
    secretKeys = [...listed.matchAll(/"([^"]+)"/g)]
      .map((m) => m[1])
      .filter((k) => keys.includes(k));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw error;
  }
  const config = { package: `${name} ${manifest.version}`, keys, secretKeys };
  cache.set(namespace, config);
  return config;
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment), case-insensitive: `regoin`
 * is one edit from `region`.
 */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= x.length; i++)
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[x.length][y.length];
}

/**
 * The allowed key closest to `key`, when it is close enough to be a slip (at most a third of its
 * letters, and at least one, edited); `undefined` otherwise.
 */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(key.length / 3));
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const d = distance(key, candidate);
    if (d <= limit && (best === undefined || d < best.distance))
      best = { key: candidate, distance: d };
  }
  return best?.key;
}
