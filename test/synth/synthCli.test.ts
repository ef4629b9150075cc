/**
 * `npm run synth` as a newcomer runs it: a real process reading a real stack file.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, expect, test } from "vitest";
import { unshippedJobs } from "../../infra/catalog";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "synth-cli-"));

async function synth(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ["infra/synth/main.ts", ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface PlanFile {
  stack: string;
  resources: { type: string; name: string; inputs: Record<string, unknown> }[];
}
const readPlan = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as PlanFile;
const prodFile = readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8");

let first: { code: number; stdout: string };
beforeAll(async () => {
  first = await synth(["--stack", "prod", "--out", join(work, "a")]);
});

test("synth writes the plan and says how many resources it holds", () => {
  expect(first.code).toBe(0);
  const plan = readPlan(join(work, "a"));
  expect(plan.stack).toBe("prod");
  expect(first.stdout).toMatch(
    new RegExp(`synth: stack 'prod': ${plan.resources.length} resources in [0-9.]+ s`),
  );
});

test("synth lists the catalog jobs not shipped yet, each with its reason: none now that every job ships", () => {
  const listed = first.stdout.split("\n").filter((line) => /^synth: {3}\S+: /.test(line));
  expect(unshippedJobs()).toEqual([]);
  expect(listed).toEqual([]);
  expect(first.stdout).not.toContain("not shipped yet");
});

test("two runs are byte-identical", async () => {
  const second = await synth(["--stack", "prod", "--out", join(work, "b")]);
  expect(second.code).toBe(0);
  expect(readFileSync(join(work, "b", "plan.json"), "utf8")).toBe(
    readFileSync(join(work, "a", "plan.json"), "utf8"),
  );
});

test("a new stack file with one retention changed changes only that lifecycle rule", async () => {
  // Same stack name, so names derived from it (log groups, documents) stay equal.
  const stackFile = join(work, "Pulumi.prod-shorter-logs.yaml");
  writeFileSync(stackFile, prodFile.replace(/(\n\s+logs:) 30\n/, "$1 14\n"));
  const result = await synth([
    "--stack",
    "prod",
    "--stack-file",
    stackFile,
    "--out",
    join(work, "staging"),
  ]);
  expect(result.code).toBe(0);

  const prod = readPlan(join(work, "a"));
  const staging = readPlan(join(work, "staging"));
  expect(staging.resources.map((r) => r.name)).toEqual(prod.resources.map((r) => r.name));
  const differing = staging.resources.filter(
    (r, i) => JSON.stringify(r.inputs) !== JSON.stringify(prod.resources[i].inputs),
  );
  // The hosts read retention too (local copies, the engine's expire), so the host config, and with
  // it the manifest, the install document, its association and the post-deploy re-check change too;
  // the replica mirrors the catalog's lifecycle.
  expect(differing.map((r) => r.name)).toEqual([
    "backups-lifecycle",
    "host-plane-artifact-host-config",
    "host-plane-doc-install",
    "host-plane-install",
    "host-plane-manifest",
    "post-deploy-check-run",
    "replica-lifecycle",
  ]);
  const hostConfig = (plan: PlanFile) =>
    JSON.parse(
      String(
        plan.resources.find((r) => r.name === "host-plane-artifact-host-config")?.inputs.content,
      ),
    );
  const before = hostConfig(prod);
  const after = hostConfig(staging);
  expect(after.retentionDays.logs).toBe(14);
  expect({ ...after, retentionDays: { ...after.retentionDays, logs: 30 } }).toEqual(before);
  const rules = (plan: PlanFile) =>
    plan.resources.find((r) => r.name === "backups-lifecycle")?.inputs.rules as {
      id: string;
      expiration: { days: number };
    }[];
  const changedRules = rules(staging).filter(
    (rule, i) => JSON.stringify(rule) !== JSON.stringify(rules(prod)[i]),
  );
  expect(changedRules.map((r) => [r.id, r.expiration.days])).toEqual([["logs-retention", 14]]);
});

test("a stack file with bad values is rejected, every problem listed, nothing synthesized", async () => {
  const stackFile = join(work, "Pulumi.broken.yaml");
  writeFileSync(
    stackFile,
    prodFile
      .replace("bucketName: stellar-insights-backups", "bucketName: Stellar_Backups")
      .replace(/(\n\s+configs:) 90\n/, "$1 0\n")
      .replace("postgres: cron(0 2 * * ? *)", "postgres: cron(0 2 * * *)")
      .replace('pgMajorVersion: "14"', 'pgMajorVersion: "8"')
      .replace("alertEmail: devops@stellar-insights.com", "alertEmail: devops"),
  );
  const out = join(work, "broken");
  const result = await synth(["--stack", "broken", "--stack-file", stackFile, "--out", out]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("stack config has 5 problem(s); nothing was deployed:");
  for (const key of [
    "bucketName",
    "retentionDays.configs",
    "schedules.postgres",
    "pgMajorVersion",
    "alertEmail",
  ]) {
    expect(result.stderr).toContain(`stellar-insights-backup:${key} = `);
  }
  expect(existsSync(join(out, "plan.json"))).toBe(false);
});

test("an unknown stack says which file is missing and lists the stacks that exist", async () => {
  const result = await synth(["--stack", "nosuchstack"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(
    `synth: no stack 'nosuchstack': ${join(ROOT, "Pulumi.nosuchstack.yaml")} does not exist; stacks here: prod ` +
      "(a new stack is a new Pulumi.<name>.yaml: copy Pulumi.prod.yaml)\n",
  );
});

test.each([
  [
    "an unterminated quote",
    'config:\n  aws:region: us-east-1\n  stellar-insights-backup:bucketName: "unterminated\n',
    ':4:1: YAML syntax error: Missing closing "quote',
  ],
  [
    "a key indented under a value",
    "config:\n  aws:region: us-east-1\n   bad: indent\n",
    ":2:15: YAML syntax error: Nested mappings are not allowed in compact mappings",
  ],
  [
    "a list where the file's map belongs",
    "- aws:region: us-east-1\n",
    `: a stack file must be a map with a 'config:' map of "<project>:<key>": value; found a list`,
  ],
  [
    "config keys without their namespace",
    "config:\n  aws:region: us-east-1\n  bucketName: x\n  alertEmail: a@b.c\n",
    `: config keys need their namespace, "<project>:<key>" or "aws:<key>"; without one: bucketName, alertEmail (e.g. bucketName -> <project>:bucketName)`,
  ],
  [
    "a config that is a string",
    "config: stellar-insights-backup:bucketName=x\n",
    `: 'config' must be a map of "<project>:<key>": value; found a string`,
  ],
])(
  "a stack file with %s is one line naming the file (and line:column) and the problem, no stack trace (exit 2)",
  async (_, text, problem) => {
    const stackFile = join(work, "Pulumi.unreadable.yaml");
    writeFileSync(stackFile, text);
    const out = join(work, "unreadable");
    const result = await synth(["--stack", "unreadable", "--stack-file", stackFile, "--out", out]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: `synth: ${stackFile}${problem}\n` });
    expect(existsSync(out)).toBe(false);
  },
);

test("secrets never reach the plan: secret-wrapped inputs and secure: values show as the placeholder", async () => {
  const stackFile = join(work, "Pulumi.prod-secrets.yaml");
  writeFileSync(
    stackFile,
    prodFile.replace(
      "alertEmail: devops@stellar-insights.com",
      "alertEmail: devops@stellar-insights.com\n  stellar-insights-backup:alertHttpsEndpoint: https://events.example.com/token-abc123",
    ),
  );
  const out = join(work, "secrets");
  expect((await synth(["--stack", "prod", "--stack-file", stackFile, "--out", out])).code).toBe(0);
  const text = readFileSync(join(out, "plan.json"), "utf8");
  expect(text).not.toContain("token-abc123");
  expect(text).toContain('"endpoint": "[secret: not decrypted offline]"');

  const secureFile = join(work, "Pulumi.prod-secure.yaml");
  writeFileSync(
    secureFile,
    prodFile.replace(
      "alertEmail: devops@stellar-insights.com",
      "alertEmail: devops@stellar-insights.com\n  stellar-insights-backup:alertHttpsEndpoint:\n    secure: AAABAJk0ciphertext==",
    ),
  );
  const secureOut = join(work, "secure");
  expect(
    (await synth(["--stack", "prod", "--stack-file", secureFile, "--out", secureOut])).code,
  ).toBe(0);
  const secureText = readFileSync(join(secureOut, "plan.json"), "utf8");
  expect(secureText).not.toContain("AAABAJk0ciphertext");
  expect(secureText).toContain('"endpoint": "[secret: not decrypted offline]"');
}, 120_000); // two synths in one test

test("--stack-file without --stack is the stack its name says: Pulumi.staging.yaml synthesizes staging", async () => {
  const dir = mkdtempSync(join(work, "named-"));
  const stackFile = join(dir, "Pulumi.staging.yaml");
  writeFileSync(stackFile, prodFile);
  const out = join(work, "named");
  const result = await synth(["--stack-file", stackFile, "--out", out]);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain("synth: stack 'staging': ");
  const plan = readPlan(out);
  expect(plan.stack).toBe("staging");
  const documents = plan.resources
    .filter((r) => r.type === "aws:ssm/document:Document")
    .map((r) => r.inputs.name as string);
  expect(documents.length).toBeGreaterThan(0);
  expect(documents.every((name) => name.startsWith("StellarBackup-staging-"))).toBe(true);
});

test.each([
  [
    "a file not named Pulumi.<stack>.yaml, without --stack",
    "config.yaml",
    prodFile,
    [],
    " is not named Pulumi.<stack>.yaml, so its stack is unknown: give --stack NAME, or rename it",
  ],
  [
    "the project file",
    "Pulumi.yaml",
    readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"),
    ["--stack", "try"],
    ": not a Pulumi stack file: top-level keys 'name', ",
  ],
  [
    "a package.json",
    "package.json",
    readFileSync(join(ROOT, "package.json"), "utf8"),
    ["--stack", "try"],
    ": not a Pulumi stack file: top-level keys 'name', 'version'",
  ],
  [
    "a stack file without config",
    "Pulumi.empty.yaml",
    "encryptionsalt: v1:abc\n",
    [],
    `: no 'config:' map of "<project>:<key>": value; a stack file holds its config there (copy Pulumi.prod.yaml)`,
  ],
])("%s is refused in one line (exit 2), nothing written", async (_, name, text, args, problem) => {
  const dir = mkdtempSync(join(work, "refused-"));
  const stackFile = join(dir, name);
  writeFileSync(stackFile, text);
  const out = join(dir, "out");
  const result = await synth([...args, "--stack-file", stackFile, "--out", out]);
  expect(result.code).toBe(2);
  expect(result.stderr.split("\n")).toEqual([
    expect.stringContaining(`synth: ${stackFile}${problem}`),
    "",
  ]);
  expect(existsSync(out)).toBe(false);
});

test("an --out that cannot be a directory is one line naming --out and why (exit 2)", async () => {
  const result = await synth(["--stack", "prod", "--out", "/dev/null/x"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(
    /^synth: --out \/dev\/null\/x: cannot write there \(ENOTDIR: not a directory, mkdir '\/dev\/null\/x'\); choose another directory\n$/,
  );
});

test("a --stack-file that does not exist says so (exit 2), not that its name is wrong", async () => {
  const stackFile = join(work, "nope.yaml");
  const result = await synth(["--stack-file", stackFile, "--out", join(work, "nope")]);
  expect(result).toEqual({ code: 2, stdout: "", stderr: `synth: ${stackFile} does not exist\n` });
});

test("a stack file named for another stack than --stack is synthesized as --stack, with a warning naming both", async () => {
  const dir = mkdtempSync(join(work, "mismatch-"));
  const stackFile = join(dir, "Pulumi.staging.yaml");
  writeFileSync(stackFile, prodFile);
  const out = join(dir, "out");
  const result = await synth(["--stack", "prod", "--stack-file", stackFile, "--out", out]);
  expect(result.code).toBe(0);
  expect(result.stderr).toContain(
    `synth: warning: ${stackFile} is named for stack 'staging' but is synthesized as 'prod' (--stack): resource names and the default --out are 'prod''s`,
  );
  expect(readPlan(out).stack).toBe("prod");
});

test.each([
  [
    "hosts: {} is one message saying there are no hosts",
    (file: string) =>
      file.replace("    prod-db-1: {}\n", "    {}\n").replace("hosts:\n    {}", "hosts: {}"),
    [
      "stack config has 1 problem(s); nothing was deployed:",
      "  - stellar-insights-backup:hosts = {}: no hosts: list each database host by the id its S3 keys carry (the host config's hostId, else its short host name), e.g. hosts: {prod-db-1: {}}; without one the stack creates no host role, so no host can write a backup, and clientSideEncryption grants its key and passphrase to no one",
    ],
  ],
  [
    "a plain-text aws:secretKey and a misspelt aws:region, the secret never printed",
    (file: string) =>
      file.replace(
        "  aws:region: us-east-1\n",
        "  aws:region: us-east-1\n  aws:regoin: us-west-2\n  aws:secretKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
      ),
    [
      "stack config has 2 problem(s); nothing was deployed:",
      expect.stringMatching(
        /^ {2}- aws:regoin = "us-west-2": is not a key of the aws provider, which would ignore it: did you mean aws:region\? /,
      ),
      "  - aws:secretKey = <hidden: 40 characters>: is a credential in plain text in the stack file, which is committed: remove it and let the provider find credentials in the environment (a profile, SSO, a CI role), or store it encrypted with `pulumi config set --secret aws:secretKey` (written as secure:); rotate it, it is in the history",
    ],
  ],
])("synth refuses a stack file (exit 1): %s", async (_kind, edit, lines) => {
  const dir = mkdtempSync(join(work, "refused-"));
  const stackFile = join(dir, "Pulumi.prod.yaml");
  const edited = edit(prodFile);
  expect(edited).not.toBe(prodFile);
  writeFileSync(stackFile, edited);
  const out = join(dir, "out");
  const result = await synth(["--stack-file", stackFile, "--out", out]);
  expect(result.code).toBe(1);
  expect(result.stderr).not.toContain("wJalrXUtnFEMI");
  expect(result.stderr.trimEnd().split("\n")).toEqual(lines);
  expect(existsSync(out)).toBe(false);
});

test("aws:secretKey written secure: passes synth (Pulumi's way to keep a credential in a stack file)", async () => {
  const dir = mkdtempSync(join(work, "secure-key-"));
  const stackFile = join(dir, "Pulumi.prod.yaml");
  writeFileSync(
    stackFile,
    prodFile.replace(
      "  aws:region: us-east-1\n",
      "  aws:region: us-east-1\n  aws:secretKey:\n    secure: AAABAJk0ciphertext==\n",
    ),
  );
  const result = await synth(["--stack-file", stackFile, "--out", join(dir, "out")]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
}, 120_000);
