/**
 * The retention each catalog row must keep. The catalog's values are the runbook's; a stack that
 * deliberately keeps a row for a different time says so in the policy pack config
 * (`pulumi preview --policy-pack-config`, or `npm run policy -- --config`), so the exception is
 * written down and reviewed instead of silently passing.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import { BACKUP_TYPE_KEYS, BACKUP_TYPES, isBackupTypeKey, type BackupTypeKey } from "../../infra/catalog";

export const retentionConfigSchema: PolicyConfigSchema = {
  properties: {
    retentionDays: {
      type: "object",
      description: "Days each catalog row must be kept, where this stack differs from the catalog",
      properties: Object.fromEntries(
        BACKUP_TYPE_KEYS.map((key) => [key, { type: "integer", minimum: 1, default: BACKUP_TYPES[key].retentionDays }]),
      ),
      additionalProperties: false,
    },
  },
};

export interface RetentionConfig {
  readonly retentionDays?: Partial<Record<string, unknown>>;
}

/** Catalog retention per row, with the policy config's overrides; throws on a malformed override. */
export function requiredRetentionDays(config: RetentionConfig): Record<BackupTypeKey, number> {
  const days = Object.fromEntries(BACKUP_TYPE_KEYS.map((key) => [key, BACKUP_TYPES[key].retentionDays])) as Record<
    BackupTypeKey,
    number
  >;
  for (const [key, value] of Object.entries(config.retentionDays ?? {})) {
    if (!isBackupTypeKey(key)) {
      throw new Error(`policy config retentionDays.${key}: unknown catalog row; allowed: ${BACKUP_TYPE_KEYS.join(", ")}`);
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
      throw new Error(`policy config retentionDays.${key} = ${JSON.stringify(value)}: must be a whole number of days, at least 1`);
    }
    days[key] = value;
  }
  return days;
}
