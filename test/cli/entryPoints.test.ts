/**
 * Every command a person types, as a real process: `--help` answers with usage, options and exit
 * codes; a bad command line is one line naming the problem, then the usage line, and a usage exit
 * code (2; 64 for host jobs, whose 2 already means "critical" for health-check).
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test, vi } from "vitest";
import { REPO_ROOT } from "../../infra/repoRoot";

// Each tool loads the Pulumi SDK or the sandbox before it reads its arguments: seconds per process,
// more on a busy machine. A timeout, not a timed assertion.
vi.setConfig({ testTimeout: 120_000 });

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(file: string, args: readonly string[]): Promise<Run> {
  try {
    // Killed before the test's own timeout: a tool that hangs must not outlive the test.
    const { stdout, stderr } = await promisify(execFile)(file, [...args], {
      cwd: REPO_ROOT,
      timeout: 100_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

const tsx = (entry: string, args: readonly string[]) =>
  run(process.execPath, ["--import", "tsx", entry, ...args]);

interface Cli {
  readonly name: string;
  readonly entry: string;
  /** What the usage line starts with. */
  readonly command: string;
  readonly usageExit: number;
  /** Arguments before the options: a console command's name. */
  readonly args?: readonly string[];
}

const TOOLS: readonly Cli[] = [
  { name: "synth", entry: "infra/synth/main.ts", command: "npm run synth --", usageExit: 2 },
  { name: "policy", entry: "policies/runPlan.ts", command: "npm run policy --", usageExit: 2 },
  {
    name: "sandbox",
    entry: "scripts/sandbox/main.ts",
    command: "npm run sandbox --",
    usageExit: 2,
  },
  {
    name: "drill",
    entry: "scripts/sandbox/drill/main.ts",
    command: "npm run drill --",
    usageExit: 2,
  },
  {
    name: "bench",
    entry: "scripts/sandbox/bench/main.ts",
    command: "npm run bench --",
    usageExit: 2,
  },
  {
    name: "console status",
    entry: "scripts/console/main.ts",
    command: "npm run console -- status",
    usageExit: 2,
    args: ["status"],
  },
];
// Every entry file in scripts/jobs, so a new job is covered without touching this test.
const JOBS: readonly Cli[] = readdirSync(join(REPO_ROOT, "scripts", "jobs"))
  .filter((file) => file.endsWith(".ts"))
  .sort()
  .map((file) => {
    const name = file.replace(/\.ts$/, "");
    return {
      name,
      entry: `scripts/jobs/${file}`,
      command: `node /opt/stellar-insights-backup/jobs/${name}.mjs`,
      usageExit: 64,
    };
  });
const ALL = [...TOOLS, ...JOBS];

test("the table covers the six tools and every host job", () => {
  expect(JOBS.map((j) => j.name)).toEqual([
    "apply-config",
    "cleanup",
    "config-backup",
    "config-restore",
    "health-check",
    "logs-ship",
    "pg-backup",
    "pg-engine-setup",
    "pg-restore-test",
    "pg-restore",
    "pg-verify",
    "redis-backup",
    "redis-restore",
  ]);
});

const helps = new Map<string, Promise<Run>>();
/** One `--help` run per command, shared by the tests that read it. */
function helpOf(cli: Cli): Promise<Run> {
  if (!helps.has(cli.name)) helps.set(cli.name, tsx(cli.entry, [...(cli.args ?? []), "--help"]));
  return helps.get(cli.name) as Promise<Run>;
}

/** `usage: <command> [--option VALUE]... [--help]`: the line --help starts with and errors end with. */
const usagePattern = (cli: Cli) =>
  `usage: ${escape(cli.command)}( \\[--[a-z-]+( [A-Z]+)?\\])* \\[--help\\]`;

// Concurrent: each test is one child process that mostly waits on module loading.
describe.concurrent.each(ALL)("$name", (cli) => {
  test("--help prints usage, options and exit codes on stdout and exits 0", async () => {
    const result = await helpOf(cli);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout.split("\n")[0]).toMatch(new RegExp(`^${usagePattern(cli)}$`));
    expect(result.stdout).toMatch(/^options:$/m);
    expect(result.stdout).toMatch(/^ {2}-h, --help +print this help and exit$/m);
    expect(result.stdout).toMatch(/^exit codes:$/m);
    expect(result.stdout).toMatch(/^ {2}0 +\S/m);
    expect(result.stdout).toMatch(new RegExp(`^ {2}${cli.usageExit} +bad command line`, "m"));
  });

  test(`an unknown option is one line naming it plus the usage line, exit ${cli.usageExit}`, async () => {
    const bad = await tsx(cli.entry, [...(cli.args ?? []), "--no-such-flag", "x"]);
    expect(bad.code).toBe(cli.usageExit);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(
      new RegExp(`^${escape(cli.name)}: unknown option '--no-such-flag'\n${usagePattern(cli)}\n$`),
    );
  });
});

test.concurrent.each(TOOLS)("the README shows $name's usage as it is typed", async (cli) => {
  const usage = (await helpOf(cli)).stdout.split("\n")[0];
  const typed = usage.replace(/^usage: /, "").replace(/ \[--help\]$/, "");
  expect(readFileSync(join(REPO_ROOT, "README.md"), "utf8")).toContain(`\`${typed}\``);
});

const SYNTH_USAGE =
  "usage: npm run synth -- [--stack NAME] [--stack-file FILE] [--out DIR] [--help]";

describe.concurrent("the problem line names the argument and what is wrong with it", () => {
  test("a string option without its value", async () => {
    const result = await tsx("infra/synth/main.ts", ["--stack"]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: `synth: option '--stack' needs a value: --stack NAME\n${SYNTH_USAGE}\n`,
    });
  });

  test("options typed after npm run without -- reach the tool as bare words", async () => {
    const result = await tsx("infra/synth/main.ts", ["prod"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `synth: unexpected argument 'prod' (with npm run, put -- before the options)\n${SYNTH_USAGE}\n`,
    );
  });

  test("a host job given a parameter as an argument says parameters go in the environment, not npm's --", async () => {
    const result = await tsx("scripts/jobs/pg-restore.ts", ["TARGET=latest"]);
    expect(result).toEqual({
      code: 64,
      stdout: "",
      stderr:
        "pg-restore: unexpected argument 'TARGET=latest' (job parameters come from the environment: TARGET=latest node /opt/stellar-insights-backup/jobs/pg-restore.mjs; through SSM, set them as the document's parameters)\n" +
        "usage: node /opt/stellar-insights-backup/jobs/pg-restore.mjs [--help]\n",
    });
  });

  test("a value given to a switch", async () => {
    const result = await tsx("scripts/sandbox/main.ts", ["--aof=yes"]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("sandbox: option '--aof' takes no value (got 'yes')");
  });

  test("values out of range are listed together on the one line", async () => {
    const result = await tsx("scripts/sandbox/drill/main.ts", [
      "--redis-keys",
      "0",
      "--load-seconds=9000",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")).toEqual([
      "drill: --redis-keys '0' must be a whole number from 1 to 1000000; --load-seconds '9000' must be from 1 to 3600",
      expect.stringMatching(/^usage: npm run drill -- \[--scale MB\] \[--engine NAME\] /),
      "",
    ]);
  });

  test.each([
    [
      "scripts/sandbox/drill/main.ts",
      ["--scale", "-5"],
      "drill: --scale '-5' must be a whole number of MiB from 1 to 10240",
    ],
    [
      "scripts/sandbox/bench/main.ts",
      ["--scales", "-5,20"],
      "bench: --scales '-5,20' must be whole numbers >= 1, comma-separated",
    ],
    [
      "scripts/sandbox/bench/main.ts",
      ["--scales", "1e2,20"],
      "bench: --scales '1e2,20' must be whole numbers >= 1, comma-separated",
    ],
  ])(
    "%s %j: a negative or non-decimal number is refused as out of range",
    async (entry, args, line) => {
      const result = await tsx(entry, args);
      expect(result.code).toBe(2);
      expect(result.stderr.split("\n")[0]).toBe(line);
    },
  );

  test.each([
    [
      "scripts/sandbox/drill/main.ts",
      ["--out", "/proc/stellar-x/report.json"],
      "drill: --out /proc/stellar-x/report.json",
    ],
    ["scripts/sandbox/bench/main.ts", ["--out", "/proc/stellar-x"], "bench: --out /proc/stellar-x"],
    ["infra/synth/main.ts", ["--out", "/proc/stellar-x"], "synth: --out /proc/stellar-x"],
  ])(
    "%s %j: an --out under /proc is refused at once, before any work, naming --out (Node's recursive mkdir would spin there)",
    async (entry, args, head) => {
      const result = await tsx(entry, args);
      expect(result.code).toBe(2);
      expect(result.stderr.split("\n")[0]).toBe(
        `${head}: cannot write there (ENOENT: no such file or directory, mkdir '/proc/stellar-x'); choose another directory`,
      );
    },
  );

  test("an engine the bench does not know is named with the engines it does", async () => {
    const result = await tsx("scripts/sandbox/bench/main.ts", ["--engines", "project,pgbarman"]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(
      "bench: --engines 'project,pgbarman': 'pgbarman' is not an engine; allowed: project, pgbackrest-stock, barman-cloud, wal-g",
    );
  });

  test("a figure group the bench does not know is named with the groups it does", async () => {
    const result = await tsx("scripts/sandbox/bench/main.ts", ["--groups", "standby,engines"]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(
      "bench: --groups 'standby,engines': 'standby' is not a figure group; allowed: synth, health-check, engines, backup-plans, standby-backup",
    );
  });

  test.each([
    "scripts/sandbox/main.ts",
    "scripts/sandbox/drill/main.ts",
    "scripts/sandbox/bench/main.ts",
  ])(
    "%s with an unknown stack lists the stacks that exist before starting anything",
    async (entry) => {
      const result = await tsx(entry, ["--stack", "nosuch"]);
      expect(result.code).toBe(2);
      expect(result.stderr.split("\n")[0]).toMatch(
        /: no stack 'nosuch': \/.*\/Pulumi\.nosuch\.yaml does not exist; stacks here: prod \(a new stack is a new Pulumi\.<name>\.yaml: copy Pulumi\.prod\.yaml\)$/,
      );
    },
  );

  test("the README's form works typed literally: npm run synth -- --help", async () => {
    const result = await run("npm", ["run", "--silent", "synth", "--", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe(SYNTH_USAGE);
  });

  // npm runs a pre<script> hook without the script's arguments: install-tools.sh would run first.
  test.each(["sandbox", "drill", "bench"])(
    "npm run %s -- --help prints the help and installs nothing",
    async (name) => {
      const result = await run("npm", ["run", "--silent", name, "--", "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout.split("\n")[0]).toMatch(new RegExp(`^usage: npm run ${name} -- `));
      expect(result.stdout + result.stderr).not.toContain("install-tools");
    },
  );
});
