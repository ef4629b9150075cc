/**
 * The import boundaries of eslint.config.mjs, run through ESLint itself on one import line per case:
 * each boundary refuses the import that would cross it and lets the allowed one through.
 */
import { ESLint } from "eslint";
import { describe, expect, test } from "vitest";
import { REPO_ROOT } from "../../infra/repoRoot";

// Only the boundary rule, and no type information: the cases are one-line files that exist nowhere.
const eslint = new ESLint({
  cwd: REPO_ROOT,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === "no-restricted-imports",
});

async function refusal(file: string, specifier: string): Promise<string | undefined> {
  const [result] = await eslint.lintText(`import "${specifier}";\n`, { filePath: file });
  const messages = result.messages.filter((m) => m.ruleId === "no-restricted-imports");
  return messages[0]?.message;
}

const REFUSED: readonly (readonly [string, string, string])[] = [
  ["infra/catalog/jobs.ts", "@pulumi/pulumi", "no Pulumi package"],
  ["infra/catalog/engines/descriptor.ts", "@pulumi/aws", "no Pulumi package"],
  ["infra/content/aws/lifecycleRules.ts", "../../../scripts/lib/job/errors", "host code"],
  ["infra/catalog/engines/descriptor.ts", "../../../scripts/sandbox/sandbox", "sandbox"],
  ["infra/synth/main.ts", "../../scripts/lib/job/runner", "host code"],
  ["infra/index.ts", "../scripts/jobs/pg-backup", "host code"],
  ["policies/runPlan.ts", "../scripts/lib/storage/s3", "host code"],
  ["policies/rules/bucketTlsOnly.ts", "../../scripts/sandbox/moto", "sandbox"],
  ["scripts/lib/job/runner.ts", "../../../infra/components/backupBucket", "control plane"],
  ["scripts/jobs/pg-backup.ts", "../../infra/content/host/jobDocuments", "control plane"],
  ["scripts/jobs/pg-backup.ts", "@pulumi/pulumi", "no Pulumi package"],
  ["scripts/lib/job/runner.ts", "../../sandbox/sandbox", "sandbox"],
  ["scripts/cli/commandLine.ts", "../lib/job/errors", "command-line parsing"],
  ["scripts/cli/commandLine.ts", "../../infra/synth/plan", "control plane"],
  ["scripts/cli/commandLine.ts", "../console/stack", "command-line parsing"],
  ["scripts/console/status/status.ts", "../../sandbox/moto", "sandbox"],
  ["scripts/console/status/bucketStores.ts", "../../jobs/health-check", "entry file"],
  ["scripts/lib/storage/rowAges.ts", "../../console/stack", "operator's laptop"],
];

const ALLOWED: readonly (readonly [string, string])[] = [
  ["scripts/lib/job/runner.ts", "../../../infra/catalog/jobs"],
  ["scripts/jobs/pg-restore.ts", "./pg-restore/restorePlan"],
  ["infra/synth/main.ts", "../../scripts/cli/commandLine"],
  ["policies/runPlan.ts", "../scripts/cli/commandLine"],
  ["policies/rules/bucketTlsOnly.ts", "../lib/resources"],
  ["infra/components/backupBucket.ts", "@pulumi/aws"],
  ["scripts/sandbox/sandbox.ts", "../lib/job/runner"],
  ["test/engine/support.ts", "../../scripts/lib/engines"],
  ["scripts/console/status/bucketStores.ts", "../../lib/storage/rowAges"],
  ["scripts/console/stack.ts", "../../infra/synth/synthesizeStack"],
  ["scripts/console/status/stackAlarms.ts", "../../../infra/content/aws/resourceNames"],
];

describe("import boundaries", () => {
  test.each(REFUSED)("%s may not import %s", async (file, specifier, reason) => {
    expect(await refusal(file, specifier)).toContain(reason);
  });

  test.each(ALLOWED)("%s may import %s", async (file, specifier) => {
    expect(await refusal(file, specifier)).toBeUndefined();
  });
});
