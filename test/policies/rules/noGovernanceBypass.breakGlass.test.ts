/**
 * `backup-no-governance-bypass` with its config: the break-glass roles it names may hold the bypass.
 * Apart from the rule's mutations (noGovernanceBypass.test.ts), whose case lists
 * test/policies/policies.test.ts reads, so that reading them runs no other test.
 */
import { beforeAll, expect, test } from "vitest";
import { prodPlanCopy, evaluate, only, synthProdPlan, violatedPolicies } from "../fixtures/plans";
import { T, addStatement } from "../support/mutations";

// The plan is synthesized once, in the hook, whose timeout allows for it.
beforeAll(() => synthProdPlan());

test("a bypass grant to the break-glass role the pack config names passes; to any other role it fails", async () => {
  const plan = await prodPlanCopy();
  const hostPolicy = only(plan, T.rolePolicy, (r) => r.name === "db-hosts-prod-db-1-backup-policy");
  hostPolicy.inputs.role = "break-glass";
  addStatement(hostPolicy, {
    Effect: "Allow",
    Action: "s3:BypassGovernanceRetention",
    Resource: "arn:aws:s3:::stellar-insights-backups/postgres/prod-db-1/*",
  });
  const named = await evaluate(plan, {
    "backup-no-governance-bypass": { breakGlassRoles: ["break-glass"] },
  });
  expect(violatedPolicies(named)).toEqual([]);
  const other = await evaluate(plan, {
    "backup-no-governance-bypass": { breakGlassRoles: ["someone-else"] },
  });
  expect(violatedPolicies(other)).toEqual(["backup-no-governance-bypass"]);
});
