/** The pack's policy list (policies/policies.ts) against the mutations in test/policies/rules/. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test, vi } from "vitest";
import type { Case } from "./support/mutations";

// Each rule's test file exports its `cases` and hands them to describeMutations; here that only
// collects them, so importing the rule files reads their cases without running them again.
const collected = vi.hoisted(() => [] as Case[]);
vi.mock("./support/mutations", async (importOriginal) => ({
  ...(await importOriginal<typeof import("./support/mutations")>()),
  describeMutations: (cases: readonly Case[]) => void collected.push(...cases),
}));

/** The rule test files that hold mutations: `<rule>.test.ts`, one per policies/rules/<rule>.ts. */
const RULES = join(__dirname, "rules");
const ruleFiles = readdirSync(RULES).filter((f) => /^\w+\.test\.ts$/.test(f));

test("every policy of the pack is broken by at least one mutation", async () => {
  const { BACKUP_POLICIES } = await import("../../policies/policies");
  for (const file of ruleFiles) await import(join(RULES, file));
  const cases = collected;
  const covered = new Set(cases.flatMap((c) => c.fails));
  expect(BACKUP_POLICIES.map((p) => p.name).filter((name) => !covered.has(name))).toEqual([]);
});
