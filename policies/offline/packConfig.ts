/**
 * The policy pack config file, in the format `pulumi preview --policy-pack-config FILE` reads:
 * `{ "<policy>": "<level>" }` or `{ "<policy>": { "enforcementLevel": "<level>", …properties } }`,
 * with `"all"` setting the level of every policy.
 */
import type { EnforcementLevel, PolicyPackConfig } from "@pulumi/policy";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

function isLevel(value: unknown): value is EnforcementLevel {
  return (ENFORCEMENT_LEVELS as readonly unknown[]).includes(value);
}

/** Validates a parsed config file against the pack's policy names; throws listing every problem. */
export function parsePackConfig(raw: unknown, policyNames: readonly string[]): PolicyPackConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new Error("policy config must be a JSON object keyed by policy name");
  }
  const problems: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (name !== "all" && !policyNames.includes(name)) {
      problems.push(`'${name}': unknown policy; known: all, ${policyNames.join(", ")}`);
      continue;
    }
    const level = typeof value === "string" ? value : (value as { enforcementLevel?: unknown } | null)?.enforcementLevel;
    const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
    if (!isObject && typeof value !== "string") {
      problems.push(`'${name}': must be an enforcement level or an object`);
    } else if (level !== undefined && !isLevel(level)) {
      problems.push(`'${name}': enforcement level ${JSON.stringify(level)}; allowed: ${ENFORCEMENT_LEVELS.join(", ")}`);
    }
  }
  if (problems.length > 0) throw new Error(`policy config has ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`);
  return raw as PolicyPackConfig;
}

function levelOf(entry: PolicyPackConfig[string] | undefined): EnforcementLevel | undefined {
  return typeof entry === "string" ? entry : entry?.enforcementLevel;
}

/** As the Pulumi CLI resolves it: the policy's own entry, then `all`, then the policy's default. */
export function enforcementLevel(config: PolicyPackConfig, policy: string, fallback: EnforcementLevel): EnforcementLevel {
  return levelOf(config[policy]) ?? levelOf(config.all) ?? fallback;
}

/** The policy's config properties (everything but its enforcement level). */
export function policyProperties(config: PolicyPackConfig, policy: string): Record<string, unknown> {
  const entry = config[policy];
  if (entry === undefined || typeof entry === "string") return {};
  const { enforcementLevel: _level, ...properties } = entry;
  return properties;
}
