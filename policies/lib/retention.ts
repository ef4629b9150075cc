/**
 * The retention each catalog row must keep. The catalog's values are the runbook's; a stack that
 * deliberately keeps a row for a different time says so in the policy pack config
 * (`pulumi preview --policy-pack-config`, or `npm run policy -- --config`), so the exception is
 * written down and reviewed instead of silently passing.
 */
import * as v from "valibot";
import { BACKUP_TYPE_KEYS, BACKUP_TYPES, type BackupTypeKey } from "../../infra/catalog";
import { days, exactObject } from "../../infra/catalog/schema/parts";
import { schemaProblems } from "../../infra/catalog/schema/problems";
import { policyConfigSchema } from "./configJsonSchema";
import { PolicyConfigError } from "./policyConfigError";

/** The properties of every policy that checks retention; each row defaults to the catalog's days. */
export const retentionConfig = v.object({
  retentionDays: v.optional(
    v.pipe(
      exactObject(
        Object.fromEntries(
          BACKUP_TYPE_KEYS.map((row) => [row, v.optional(days(), BACKUP_TYPES[row].retentionDays)]),
        ) as Record<BackupTypeKey, v.OptionalSchema<ReturnType<typeof days>, number>>,
        { unknownField: `unknown catalog row; allowed: ${BACKUP_TYPE_KEYS.join(", ")}` },
      ),
      v.description(
        "Days each catalog row must be kept, where this stack differs from the catalog",
      ),
    ),
    {},
  ),
});

/** What the Pulumi CLI checks the properties against: generated from `retentionConfig`. */
export const retentionConfigSchema = policyConfigSchema(retentionConfig);

export interface RetentionConfig {
  readonly retentionDays?: Partial<Record<string, unknown>>;
}

/**
 * Catalog retention per row, with the policy config's overrides.
 * @throws PolicyConfigError listing every problem with its path and value
 */
export function requiredRetentionDays(config: RetentionConfig): Record<BackupTypeKey, number> {
  const result = v.safeParse(retentionConfig, config);
  if (result.success) return result.output.retentionDays as Record<BackupTypeKey, number>;
  const problems = schemaProblems(result.issues);
  throw new PolicyConfigError(
    [
      `policy config has ${problems.length} problem(s):`,
      ...problems.map(
        (p) => `  - ${p.path} = ${JSON.stringify(p.value) ?? "(not set)"}: ${p.message}`,
      ),
    ].join("\n"),
  );
}
