/**
 * `npm run policy` as a real process: exit codes, one line per violation, the summary.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, expect, test } from "vitest";
import { prodPlanCopy, onBucket, ROOT, type MutablePlan } from "./fixtures/plans";

const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "policy-cli-"));

async function policy(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ["policies/runPlan.ts", ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function write(name: string, value: unknown): string {
  const path = join(work, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

let good: MutablePlan;
let goodPath: string;
let suspendedPath: string;
beforeAll(async () => {
  good = await prodPlanCopy();
  goodPath = write("good.json", good);
  const suspended = structuredClone(good);
  onBucket(
    suspended,
    "aws:s3/bucketVersioning:BucketVersioning",
    "backups",
  ).inputs.versioningConfiguration.status = "Suspended";
  suspendedPath = write("suspended.json", suspended);
});

test("a compliant plan exits 0 with only the header and the summary", async () => {
  const result = await policy(["--plan", goodPath]);
  expect(result.code).toBe(0);
  expect(result.stdout.trim().split("\n")).toEqual([
    `policy: stack 'prod' from ${goodPath}`,
    `26 policies run, ${good.resources.length} resources checked, 0 violations (0 mandatory, 0 advisory)`,
  ]);
});

test("a mandatory violation exits 1 and names policy, resource and problem on one line", async () => {
  const result = await policy(["--plan", suspendedPath]);
  expect(result.code).toBe(1);
  const lines = result.stdout.trim().split("\n");
  expect(lines.slice(1)).toEqual([
    "backup-bucket-versioning-enabled  backups-versioning  versioning of backups bucket 'stellar-insights-backups' is \"Suspended\", not 'Enabled'",
    `26 policies run, ${good.resources.length} resources checked, 1 violation (1 mandatory, 0 advisory)`,
  ]);
});

test("pack config lowers a policy to advisory (exit 0) or disables it", async () => {
  const advisory = await policy([
    "--plan",
    suspendedPath,
    "--config",
    write("advisory.json", { "backup-bucket-versioning-enabled": "advisory" }),
  ]);
  expect(advisory.code).toBe(0);
  expect(advisory.stdout).toContain("not 'Enabled'  [advisory]");
  expect(advisory.stdout).toContain("1 violation (0 mandatory, 1 advisory)");

  const disabled = await policy([
    "--plan",
    suspendedPath,
    "--config",
    write("disabled.json", {
      "backup-bucket-versioning-enabled": { enforcementLevel: "disabled" },
    }),
  ]);
  expect(disabled.code).toBe(0);
  expect(disabled.stdout).toContain("25 policies run");
  expect(disabled.stdout).toContain("0 violations");
});

test("a missing plan, a non-plan or a bad config exits 2 and says why", async () => {
  const missing = await policy(["--plan", join(work, "nope.json")]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(`policy: no plan at ${join(work, "nope.json")}`);

  const notPlan = await policy(["--plan", write("not-a-plan.json", { resources: "x" })]);
  expect(notPlan.code).toBe(2);
  expect(notPlan.stderr).toContain("is not a plan");

  const badConfig = await policy([
    "--plan",
    goodPath,
    "--config",
    write("bad.json", { "backup-nope": "advisory", all: "loud" }),
  ]);
  expect(badConfig.code).toBe(2);
  expect(badConfig.stderr).toContain("'backup-nope': unknown policy");
  expect(badConfig.stderr).toContain(`'all': enforcement level "loud"`);
});

test("a bad policy config, the pack's or a policy's own properties, prints only its problems (no stack) and exits 2", async () => {
  const unknown = await policy([
    "--plan",
    goodPath,
    "--config",
    write("unknown.json", { "backup-bucket-acess-logging": "warn" }),
  ]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr.trim().split("\n")).toEqual([
    "policy: policy config has 2 problem(s):",
    expect.stringMatching(/^ {2}- 'backup-bucket-acess-logging': unknown policy; known: all, /),
    `  - 'backup-bucket-acess-logging': enforcement level "warn"; allowed: advisory, mandatory, remediate, disabled`,
  ]);

  const days = await policy([
    "--plan",
    goodPath,
    "--config",
    write("days.json", { "backup-lifecycle-covers-catalog": { retentionDays: { logs: 0 } } }),
  ]);
  expect(days.code).toBe(2);
  expect(days.stderr.trim().split("\n")).toEqual([
    "policy: policy 'backup-lifecycle-covers-catalog': policy config has 1 problem(s):",
    expect.stringMatching(/^ {2}- retentionDays\.logs = 0: /),
  ]);
});

test("a lifecycle shorter than the catalog's says how to allow it deliberately, and that entry does", async () => {
  const shorter = structuredClone(good);
  const rules = onBucket(
    shorter,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "backups",
  ).inputs.rules as { filter?: { prefix?: string }; expiration: { days: number } }[];
  const logs = rules.find((rule) => rule.filter?.prefix === "logs/");
  if (!logs) throw new Error("no lifecycle rule on logs/");
  logs.expiration.days = 20;
  const shorterPath = write("shorter.json", shorter);

  const refused = await policy(["--plan", shorterPath]);
  expect(refused.code).toBe(1);
  const entry = '{"backup-lifecycle-covers-catalog":{"retentionDays":{"logs":20}}}';
  expect(refused.stdout).toContain(
    `but 'logs/' needs at least 30: catalog row 'logs' (Application Logs) keeps 30 days; to keep it 20 days deliberately, say so in the policy config (--policy-pack-config, or npm run policy -- --config): ${entry}`,
  );

  const allowed = await policy([
    "--plan",
    shorterPath,
    "--config",
    write("allow.json", JSON.parse(entry)),
  ]);
  expect(allowed.stdout).not.toContain("backup-lifecycle-covers-catalog");
});
