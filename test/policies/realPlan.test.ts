/**
 * The policies on the program's own prod plan: it must pass every policy whose resources it already
 * has, and completed with the resources issue 6 adds, every policy.
 */
import { expect, test } from "vitest";
import { BACKUP_POLICIES } from "../../policies/policies";
import { completedProdPlan, evaluate, synthProdPlan } from "./fixtures/plans";
import { AWAITING_ISSUE_6 } from "./pending";

test("the pack has 18 policies, kebab-case names prefixed backup-, each with a description", () => {
  const names = BACKUP_POLICIES.map((p) => p.name);
  expect(names).toHaveLength(18);
  expect(new Set(names).size).toBe(18);
  for (const policy of BACKUP_POLICIES) {
    expect(policy.name).toMatch(/^backup-[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(policy.description.length, policy.name).toBeGreaterThan(60);
    expect(policy.enforcementLevel, policy.name).toBe("mandatory");
  }
});

test("every policy awaiting issue 6 is a policy of the pack", () => {
  const names = BACKUP_POLICIES.map((p) => p.name);
  for (const name of AWAITING_ISSUE_6) expect(names).toContain(name);
});

test("the synthesized prod plan violates no policy whose resources it has", async () => {
  const plan = await synthProdPlan();
  const evaluation = await evaluate(plan);
  expect(evaluation.policiesRun).toHaveLength(18);
  expect(evaluation.resourcesChecked).toBe(plan.resources.length);
  const violations = evaluation.violations.filter((v) => !AWAITING_ISSUE_6.includes(v.policy));
  expect(violations).toEqual([]);
});

test("the prod plan completed with issue 6's resources violates no policy at all", async () => {
  const evaluation = await evaluate(await completedProdPlan());
  expect(evaluation.violations).toEqual([]);
  // Every stack policy found what it checks: none declared itself not applicable.
  const stackPolicies = BACKUP_POLICIES.filter((p) => "validateStack" in p).map((p) => p.name);
  expect(evaluation.notApplicable.filter((n) => stackPolicies.includes(n.policy))).toEqual([]);
});
