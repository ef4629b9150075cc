/**
 * Every allowedPattern of every shipped SSM document, judged by real java.util.regex (SSM accepts
 * a value when `Matcher.find()` succeeds) and by the sandbox runner: good values pass, the same
 * values with any line terminator added anywhere fail, and the sandbox agrees with Java on all.
 */
import { DEFAULT_POSTGRES_ENGINE, POSTGRES_ENGINES } from "../../../infra/catalog/engines";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { loadPlan, type Plan } from "../../../scripts/sandbox/plan";
import { javaFinds } from "../../../scripts/sandbox/javaPattern";
import { InvalidParametersError, resolveParameters } from "../../../scripts/sandbox/runDocument";

const SHA = "0".repeat(63) + "a";
/** Values each parameter must accept; a pattern parameter without samples fails the test. */
const GOOD: Readonly<Record<string, readonly string[]>> = {
  Backup: ["latest", "20240115T020000Z", "20240115T020000Z-0123456789ab"],
  SourceHost: ["", "db-1.prod", "ip-10-0-0-1"],
  Sets: ["", "app", "app,db"],
  Set: ["app", "db"],
  Checks: ["", "s3", "s3,disk,redis"],
  // The stack's engine names its backups (prod: the default engine).
  BackupName: [
    "",
    POSTGRES_ENGINES[DEFAULT_POSTGRES_ENGINE].backupNameExample,
    "20261129-020000F_20261130-020000I",
  ],
  MaxAgeHours: ["", "1", "24", "720"],
  Repositories: ["", "s3", "local", "s3,local"],
  TargetTime: ["", "2024-01-15T14:30:00Z"],
  ManifestKey: [`artifacts/manifests/${SHA}.txt`],
  ManifestSha256: [SHA],
};
const TERMINATORS = ["\n", "\r\n", "\r", "\u0085", "\u2028", "\u2029"];

interface PatternCase {
  readonly document: string;
  readonly parameter: string;
  readonly pattern: string;
  readonly value: string;
  readonly shouldPass: boolean;
}

/** find() and matches() of each case, from one JVM run. */
function javaVerdicts(cases: readonly PatternCase[]): { find: boolean; matches: boolean }[] {
  const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
  const stdout = execFileSync("java", [join(__dirname, "java", "JavaFind.java")], {
    input: cases.map((c) => `${b64(c.pattern)}\t${b64(c.value)}\n`).join(""),
    encoding: "utf8",
    timeout: 120_000,
  });
  return stdout
    .trim()
    .split("\n")
    .map((l) => {
      const [find, matches] = l.split(" ");
      return { find: find === "true", matches: matches === "true" };
    });
}

describe("SSM document allowedPatterns under java.util.regex", () => {
  let plan: Plan;
  let cases: PatternCase[];
  let documents: { name: string; content: string; patterns: Record<string, string> }[];

  beforeAll(() => {
    plan = loadPlan("prod", process.env.STELLAR_SANDBOX_SYNTH_DIR);
    documents = plan.resources
      .filter((r) => r.type === "aws:ssm/document:Document")
      .map((r) => {
        const content = String(r.inputs.content);
        const parameters = (JSON.parse(content).parameters ?? {}) as Record<
          string,
          { allowedPattern?: string }
        >;
        return {
          name: String(r.inputs.name),
          content,
          patterns: Object.fromEntries(
            Object.entries(parameters).flatMap(([name, p]) =>
              p.allowedPattern ? [[name, p.allowedPattern]] : [],
            ),
          ),
        };
      });
    cases = documents.flatMap((doc) =>
      Object.entries(doc.patterns).flatMap(([parameter, pattern]) =>
        (GOOD[parameter] ?? []).flatMap((good) => [
          { document: doc.name, parameter, pattern, value: good, shouldPass: true },
          ...TERMINATORS.flatMap((t) => [
            { document: doc.name, parameter, pattern, value: `${good}${t}`, shouldPass: false },
            { document: doc.name, parameter, pattern, value: `${t}${good}`, shouldPass: false },
            { document: doc.name, parameter, pattern, value: `${good}${t}x`, shouldPass: false },
          ]),
        ]),
      ),
    );
  });

  test("every pattern parameter of every document has good samples", () => {
    const patterned = documents.flatMap((d) =>
      Object.keys(d.patterns).map((p) => `${d.name} ${p}`),
    );
    expect(patterned.length).toBeGreaterThan(10);
    expect(patterned.filter((p) => !(p.split(" ")[1] in GOOD))).toEqual([]);
  });

  test("Java find() and matches() accept the good values and refuse every line terminator; the sandbox agrees", () => {
    const verdicts = javaVerdicts(cases);
    expect(verdicts).toHaveLength(cases.length);
    const wrong = cases.flatMap((c, i) => {
      const sandbox = javaFinds(c.pattern, c.value);
      const { find, matches } = verdicts[i];
      return find === c.shouldPass && matches === c.shouldPass && sandbox === c.shouldPass
        ? []
        : [
            `${c.document} ${c.parameter} ${JSON.stringify(c.value)}: java find ${find}, matches ${matches}, sandbox ${sandbox}`,
          ];
    });
    expect(wrong).toEqual([]);
  });

  test("the sandbox runner refuses a trailing newline the way SSM does", () => {
    const install = documents.find((d) =>
      d.name.endsWith("-install"),
    ) as (typeof documents)[number];
    expect(() =>
      resolveParameters(install.content, { ManifestSha256: `${SHA}\n`, SetUpPostgresEngine: "no" }),
    ).toThrow(InvalidParametersError);
  });

  test("the sandbox's reading of Java's `$` matches a real JVM, line terminators included", () => {
    const legacy = ["^[a-z]+$", "^a$|^b$", "[$]x$", "\\$\\z", "^x\\Z"];
    const values = [
      "abc",
      "abc\n",
      "abc\r\n",
      "abc\u2028",
      "abc\n\n",
      "a",
      "b\n",
      "$x",
      "$x\n",
      "x\r",
      "$",
    ];
    const probe = legacy.flatMap((pattern) =>
      values.map((value) => ({ document: "-", parameter: "-", pattern, value, shouldPass: true })),
    );
    const verdicts = javaVerdicts(probe);
    expect(probe.map((c) => javaFinds(c.pattern, c.value))).toEqual(verdicts.map((v) => v.find));
    // The defect this guards against: `^...$` passes a trailing newline under find()
    expect(verdicts[1].find).toBe(true);
  });
});
