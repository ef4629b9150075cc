/**
 * The policy pack config file, in the format `pulumi preview --policy-pack-config FILE` reads:
 * `{ "<policy>": "<level>" }` or `{ "<policy>": { "enforcementLevel": "<level>", …properties } }`,
 * with `"all"` setting the level of every policy.
 */
import type { EnforcementLevel, PolicyPackConfig } from "@pulumi/policy";
import * as v from "valibot";
import { isPlainObject, keyedMap } from "../../infra/catalog/schema/parts";
import { ROOT_PATH, schemaProblems } from "../../infra/catalog/schema/problems";
import { PolicyConfigError } from "../lib/policyConfigError";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = [
  "advisory",
  "mandatory",
  "remediate",
  "disabled",
];

const levelMessage = (level: unknown) =>
  `enforcement level ${JSON.stringify(level)}; allowed: ${ENFORCEMENT_LEVELS.join(", ")}`;

const levelSchema = v.picklist(ENFORCEMENT_LEVELS, (issue) => levelMessage(issue.input));

/**
 * The config file's contract for a pack with these policies. A policy's own properties are checked
 * by the policy (its `configSchema` is generated from the schema it parses them with).
 */
export function packConfigSchema(policyNames: readonly string[]) {
  return keyedMap(
    v.picklist(["all", ...policyNames], `unknown policy; known: all, ${policyNames.join(", ")}`),
    v.union(
      [levelSchema, v.looseObject({ enforcementLevel: v.exactOptional(levelSchema) })],
      // The union fails as a whole; say which level was wrong when there is one.
      ({ input }) => {
        if (typeof input === "string") return levelMessage(input);
        if (isPlainObject(input)) return levelMessage(input.enforcementLevel);
        return "must be an enforcement level or an object";
      },
    ),
    "must be a JSON object keyed by policy name",
  );
}

/**
 * Validates a parsed config file against the pack's policy names.
 * @throws PolicyConfigError listing every problem, one line each
 */
export function parsePackConfig(raw: unknown, policyNames: readonly string[]): PolicyPackConfig {
  const result = v.safeParse(packConfigSchema(policyNames), raw);
  if (result.success) return raw as PolicyPackConfig;
  const problems = schemaProblems(result.issues);
  const root = problems.find((p) => p.path === ROOT_PATH);
  if (root) throw new PolicyConfigError(`policy config ${root.message}`);
  // Named by policy: a bad `enforcementLevel` inside a policy's object is that policy's problem.
  const lines = problems.map((p) => `'${p.path.split(".")[0]}': ${p.message}`);
  throw new PolicyConfigError(
    `policy config has ${lines.length} problem(s):\n  - ${lines.join("\n  - ")}`,
  );
}

function levelOf(entry: PolicyPackConfig[string] | undefined): EnforcementLevel | undefined {
  return typeof entry === "string" ? entry : entry?.enforcementLevel;
}

/** As the Pulumi CLI resolves it: the policy's own entry, then `all`, then the policy's default. */
export function enforcementLevel(
  config: PolicyPackConfig,
  policy: string,
  fallback: EnforcementLevel,
): EnforcementLevel {
  return levelOf(config[policy]) ?? levelOf(config.all) ?? fallback;
}

/** The policy's config properties (everything but its enforcement level). */
export function policyProperties(
  config: PolicyPackConfig,
  policy: string,
): Record<string, unknown> {
  const entry = config[policy];
  if (entry === undefined || typeof entry === "string") return {};
  const { enforcementLevel: _level, ...properties } = entry;
  return properties;
}
