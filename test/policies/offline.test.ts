/**
 * The offline runner's parts: pack config as the Pulumi CLI reads it, and plans turned into the
 * resources @pulumi/policy hands to policies.
 */
import { describe, expect, test } from "vitest";
import type { Plan } from "../../infra/synth/plan";
import {
  enforcementLevel,
  parsePackConfig,
  policyProperties,
} from "../../policies/offline/packConfig";
import { planPolicyResources } from "../../policies/offline/planResources";

describe("pack config", () => {
  const names = ["backup-a", "backup-b"];

  test("a policy's own level wins over 'all', which wins over the policy's default", () => {
    const config = parsePackConfig(
      { all: "advisory", "backup-a": { enforcementLevel: "disabled", x: 1 } },
      names,
    );
    expect(enforcementLevel(config, "backup-a", "mandatory")).toBe("disabled");
    expect(enforcementLevel(config, "backup-b", "mandatory")).toBe("advisory");
    expect(enforcementLevel({}, "backup-b", "mandatory")).toBe("mandatory");
  });

  test("a policy's properties exclude its enforcement level", () => {
    const config = parsePackConfig(
      { "backup-a": { enforcementLevel: "advisory", retentionDays: { logs: 14 } } },
      names,
    );
    expect(policyProperties(config, "backup-a")).toEqual({ retentionDays: { logs: 14 } });
    expect(policyProperties(config, "backup-b")).toEqual({});
  });

  test.each([
    [[], "policy config must be a JSON object keyed by policy name"],
    [
      { "backup-c": "advisory" },
      "policy config has 1 problem(s):\n  - 'backup-c': unknown policy; known: all, backup-a, backup-b",
    ],
    [
      { "backup-a": "loud" },
      `policy config has 1 problem(s):\n  - 'backup-a': enforcement level "loud"; allowed: advisory, mandatory, remediate, disabled`,
    ],
    [
      { "backup-a": 3, "backup-b": { enforcementLevel: 1 } },
      "policy config has 2 problem(s):\n  - 'backup-a': must be an enforcement level or an object\n  - 'backup-b': enforcement level 1; allowed: advisory, mandatory, remediate, disabled",
    ],
  ])("%j is refused", (raw, message) => {
    expect(() => parsePackConfig(raw, names)).toThrow(message);
  });
});

describe("plan resources", () => {
  const plan: Plan = {
    stack: "dev",
    outputs: { postgresRetention: 30 },
    resources: [
      {
        type: "aws:s3/bucket:Bucket",
        name: "backups",
        parent: "backups",
        inputs: { bucket: "b" },
        protect: true,
      },
      { type: "stellar:backup:BackupBucket", name: "backups", parent: null, inputs: {} },
      {
        type: "aws:s3/bucketVersioning:BucketVersioning",
        name: "backups-versioning",
        parent: "backups",
        inputs: { bucket: "b" },
      },
    ],
  };
  const resources = planPolicyResources(plan, "proj");
  const byName = (type: string) => resources.find((r) => r.type === type);

  test("URNs carry stack, project and the parent type chain, as the engine's do", () => {
    expect(resources.map((r) => r.urn)).toEqual([
      "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev",
      "urn:pulumi:dev::proj::stellar:backup:BackupBucket$aws:s3/bucket:Bucket::backups",
      "urn:pulumi:dev::proj::stellar:backup:BackupBucket::backups",
      "urn:pulumi:dev::proj::stellar:backup:BackupBucket$aws:s3/bucketVersioning:BucketVersioning::backups-versioning",
    ]);
  });

  test("a child named like its component parents to the component; top-level resources to the stack", () => {
    const component = byName("stellar:backup:BackupBucket");
    expect(byName("aws:s3/bucket:Bucket")?.parent).toBe(component);
    expect(byName("aws:s3/bucket:Bucket")?.opts).toMatchObject({
      parent: component?.urn,
      protect: true,
    });
    expect(component?.parent?.type).toBe("pulumi:pulumi:Stack");
  });

  test("the stack resource carries the outputs; props are copies of the inputs", () => {
    expect(byName("pulumi:pulumi:Stack")?.props).toEqual({ postgresRetention: 30 });
    const bucket = byName("aws:s3/bucket:Bucket");
    expect(bucket?.props).toEqual({ bucket: "b" });
    expect(bucket?.props).not.toBe(plan.resources[0].inputs);
  });
});
