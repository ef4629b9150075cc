/**
 * The shared command-line reader: every kind of bad command line becomes one message naming the
 * argument, and the help text lists options, environment and exit codes.
 */
import { expect, test } from "vitest";
import { helpText, interpretCommandLine, usageLine } from "../../scripts/cli/commandLine";
import { jobArgumentHint } from "../../scripts/lib/job/jobCommand";

const SPEC = {
  command: "npm run demo --",
  name: "demo",
  summary: "Does the demo.",
  options: {
    stack: { type: "string", value: "NAME", default: "prod", description: "stack" },
    out: { type: "string", value: "DIR", description: "where" },
    aof: { type: "boolean", description: "append only" },
  },
  environment: { DEMO_X: "first line\nsecond line" },
  exitCodes: { 0: "ok", 2: "bad command line" },
} as const;

test.each([
  [["--stak", "prod"], ["unknown option '--stak'"]],
  [["-x"], ["unknown option '-x'"]],
  [["--stack"], ["option '--stack' needs a value: --stack NAME"]],
  [["--stack", "--aof"], ["option '--stack' needs a value: --stack NAME"]],
  [["--stack", "-x"], ["option '--stack' needs a value: --stack NAME"]],
  [["--stack", "-"], ["option '--stack' needs a value: --stack NAME"]],
  [["--aof=yes"], ["option '--aof' takes no value (got 'yes')"]],
  [["prod"], ["unexpected argument 'prod' (with npm run, put -- before the options)"]],
  [["--", "prod"], ["unexpected argument 'prod' (with npm run, put -- before the options)"]],
  [
    ["--stak", "--out"],
    ["unknown option '--stak'", "option '--out' needs a value: --out DIR"],
  ],
])("%j is refused: %j", (argv, problems) => {
  expect(interpretCommandLine(SPEC, argv)).toEqual({ kind: "bad", problems });
});

test("a command with its own stray-argument hint explains a bare word with it, not with npm's", () => {
  const spec = { ...SPEC, strayArgumentHint: (argument: string) => `hint for ${argument}` };
  expect(interpretCommandLine(spec, ["TARGET=latest"])).toEqual({
    kind: "bad",
    problems: ["unexpected argument 'TARGET=latest' (hint for TARGET=latest)"],
  });
});

test("a host job's hint moves a parameter typed as an argument into the environment", () => {
  const command = "node /opt/stellar-insights-backup/jobs/pg-restore.mjs";
  expect(jobArgumentHint(command, "TARGET=latest")).toBe(
    "job parameters come from the environment: TARGET=latest node /opt/stellar-insights-backup/jobs/pg-restore.mjs; through SSM, set them as the document's parameters",
  );
  expect(jobArgumentHint(command, "latest")).toBe(
    "host jobs take no arguments: parameters come from the environment, NAME=value node /opt/stellar-insights-backup/jobs/pg-restore.mjs (--help lists them); through SSM, set them as the document's parameters",
  );
});

test("values are typed, with defaults; a value starting with '-' is given inline", () => {
  expect(interpretCommandLine(SPEC, [])).toEqual({
    kind: "ok",
    values: { stack: "prod", out: undefined, aof: false },
  });
  expect(interpretCommandLine(SPEC, ["--stack=-1", "--out", "x", "--aof"])).toEqual({
    kind: "ok",
    values: { stack: "-1", out: "x", aof: true },
  });
});

test.each([["-5"], ["-0.5"], ["-.5"], ["-5,3"], ["-1e3"]])(
  "a negative number after a string option is its value: --out %s",
  (value) => {
    expect(interpretCommandLine(SPEC, ["--out", value, "--aof"])).toEqual({
      kind: "ok",
      values: { stack: "prod", out: value, aof: true },
    });
  },
);

test("an option given twice keeps its last value", () => {
  expect(interpretCommandLine(SPEC, ["--stack", "a", "--stack=b"])).toEqual({
    kind: "ok",
    values: { stack: "b", out: undefined, aof: false },
  });
});

test("--help or -h wins over anything else on the line", () => {
  expect(interpretCommandLine(SPEC, ["--stak", "-h"])).toEqual({ kind: "help" });
  expect(interpretCommandLine(SPEC, ["--help"])).toEqual({ kind: "help" });
});

test("the help text is usage, summary, options, environment and exit codes", () => {
  expect(usageLine(SPEC)).toBe(
    "usage: npm run demo -- [--stack NAME] [--out DIR] [--aof] [--help]",
  );
  expect(helpText(SPEC)).toBe(
    [
      "usage: npm run demo -- [--stack NAME] [--out DIR] [--aof] [--help]",
      "",
      "Does the demo.",
      "",
      "options:",
      "  --stack NAME  stack (default: prod)",
      "  --out DIR     where",
      "  --aof         append only",
      "  -h, --help    print this help and exit",
      "",
      "environment:",
      "  DEMO_X  first line",
      "          second line",
      "",
      "exit codes:",
      "  0  ok",
      "  2  bad command line",
    ].join("\n"),
  );
});
