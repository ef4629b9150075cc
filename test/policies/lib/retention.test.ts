/** The retention policies' config: one valibot schema, and the JSON schema the CLI checks generated from it. */
import { describe, expect, test } from "vitest";
import { BACKUP_TYPE_KEYS, BACKUP_TYPES } from "../../../infra/catalog";
import { requiredRetentionDays, retentionConfigSchema } from "../../../policies/lib/retention";

describe("retentionConfigSchema (generated)", () => {
  const rows = retentionConfigSchema.properties.retentionDays as {
    type: string;
    properties: Record<string, { type: string; minimum: number; maximum: number; default: number }>;
    additionalProperties: unknown;
  };

  test("lists every catalog row as a whole number of days defaulting to the catalog's", () => {
    expect(rows.type).toBe("object");
    expect(Object.keys(rows.properties)).toEqual([...BACKUP_TYPE_KEYS]);
    for (const key of BACKUP_TYPE_KEYS) {
      expect(rows.properties[key]).toEqual({
        type: "integer",
        minimum: 1,
        maximum: 36500,
        default: BACKUP_TYPES[key].retentionDays,
      });
    }
  });

  test("refuses rows the catalog does not have", () => {
    expect(rows.additionalProperties).toEqual({ not: {} });
  });
});

describe("requiredRetentionDays", () => {
  test("is the catalog's retention with the config's overrides", () => {
    expect(requiredRetentionDays({ retentionDays: { logs: 14 } })).toEqual({
      ...Object.fromEntries(BACKUP_TYPE_KEYS.map((key) => [key, BACKUP_TYPES[key].retentionDays])),
      logs: 14,
    });
  });

  test("lists every problem with its path and value", () => {
    expect(() => requiredRetentionDays({ retentionDays: { logs: 0, mysql: 3 } })).toThrow(
      [
        "policy config has 2 problem(s):",
        "  - retentionDays.logs = 0: must be a whole number from 1 to 36500, got 0",
        "  - retentionDays.mysql = 3: unknown catalog row; allowed: postgres, wal, configs, logs, snapshots, redis",
      ].join("\n"),
    );
  });
});
