/**
 * The policies on the program's own prod plan: it passes every one, and every stack policy finds
 * what it checks.
 */
import { expect, test } from "vitest";
import { BACKUP_POLICIES } from "../../policies/policies";
import { evaluate, synthProdPlan } from "./fixtures/plans";

test("the pack has 26 policies, kebab-case names prefixed backup-, each with a description", () => {
  const names = BACKUP_POLICIES.map((p) => p.name);
  expect(names).toHaveLength(26);
  expect(new Set(names).size).toBe(26);
  for (const policy of BACKUP_POLICIES) {
    expect(policy.name).toMatch(/^backup-[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(policy.description.length, policy.name).toBeGreaterThan(60);
    expect(policy.enforcementLevel, policy.name).toBe("mandatory");
  }
});

test("the synthesized prod plan violates no policy", async () => {
  const plan = await synthProdPlan();
  const evaluation = await evaluate(plan);
  expect(evaluation.policiesRun).toHaveLength(26);
  expect(evaluation.resourcesChecked).toBe(plan.resources.length);
  expect(evaluation.violations).toEqual([]);
  // Every stack policy found what it checks: none declared itself not applicable.
  const stackPolicies = BACKUP_POLICIES.filter((p) => "validateStack" in p).map((p) => p.name);
  expect(evaluation.notApplicable.filter((n) => stackPolicies.includes(n.policy))).toEqual([]);
});
