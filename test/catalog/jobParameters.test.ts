/**
 * The job parameter declarations are the one source of the jobs' parsing, their `--help` and
 * their SSM documents' parameters: each declaration is consistent with itself (its default is one
 * of its values, its `--help` text names its default and range) and the documents carry exactly
 * the declared parameters, allowing what the job allows.
 */
import { describe, expect, test } from "vitest";
import { POSTGRES_ENGINES } from "../../infra/catalog/engines";
import { JOB_PARAMETERS, orList, type JobParameter } from "../../infra/catalog/jobParameters";
import { jobDocument } from "../../infra/content/host/jobDocuments";

const DECLARED = Object.entries(JOB_PARAMETERS).flatMap(([job, parameters]) =>
  Object.values(parameters as Readonly<Record<string, JobParameter>>).map(
    (p) => [job, p.env, p] as const,
  ),
);

test("orList joins words as the jobs' messages read", () => {
  expect(orList([])).toBe("");
  expect(orList(["s3"])).toBe("s3");
  expect(orList(["s3", "local"])).toBe("s3 or local");
  expect(orList(["latest", "backup", "time"])).toBe("latest, backup or time");
});

describe("each declaration agrees with itself", () => {
  test.each(DECLARED)("%s %s: --help names its default (and range)", (_job, _env, p) => {
    if (p.kind === "flag" || p.kind === "choice" || p.kind === "integer") {
      const value = String(p.default);
      expect(p.usage).toMatch(
        new RegExp(`\\b${value} \\(default\\)|default:? (the [^,]*, )?${value}\\b`),
      );
    }
    if (p.kind === "integer") expect(p.usage).toContain(`${p.min}-${p.max}`);
    if (p.kind === "choice") {
      expect(p.values).toContain(p.default);
      for (const value of p.values) expect(p.usage).toContain(value);
    }
  });

  test.each(Object.entries(JOB_PARAMETERS))(
    "%s: variables and document names are unique",
    (_job, parameters) => {
      const all = Object.values(parameters as Readonly<Record<string, JobParameter>>);
      const envs = all.map((p) => p.env);
      const names = all.flatMap((p) => (p.document ? [p.document.name] : []));
      expect(new Set(envs).size).toBe(envs.length);
      expect(new Set(names).size).toBe(names.length);
    },
  );
});

describe.each(Object.keys(POSTGRES_ENGINES))("documents for %s", (engineKey) => {
  const engine = POSTGRES_ENGINES[engineKey as keyof typeof POSTGRES_ENGINES];
  test.each(Object.keys(JOB_PARAMETERS).filter((job) => job !== "pg-engine-setup"))(
    "%s carries exactly the declared document parameters, in order, allowing the job's values",
    (job) => {
      const doc = jobDocument("prod", job as Parameters<typeof jobDocument>[1], engine);
      const declared = Object.values(
        JOB_PARAMETERS[job as keyof typeof JOB_PARAMETERS] as Readonly<
          Record<string, JobParameter>
        >,
      ).filter((p) => p.document !== undefined);
      expect(doc.parameters.map((p) => p.name)).toEqual(declared.map((p) => p.document?.name));
      for (const p of declared) {
        const carried = doc.parameters.find((d) => d.name === p.document?.name);
        expect(doc.script).toContainEqual(expect.stringContaining(`export ${p.env}="$SSM_`));
        if (p.kind === "flag") expect(carried?.allowedValues).toEqual(["no", "yes"]);
        if (p.kind === "choice") expect(carried?.allowedValues).toEqual(p.values);
        if (p.kind === "integer") {
          // Java's find() with \A...\z anchors is JavaScript's test() of the same body.
          const pattern = new RegExp(
            (carried?.allowedPattern ?? "").replace(/^\\A/, "^").replace(/\\z$/, "$"),
          );
          expect(pattern.test(String(p.min))).toBe(true);
          expect(pattern.test(String(p.max))).toBe(true);
          expect(pattern.test(String(p.default))).toBe(true);
          expect(pattern.test("")).toBe(true);
        }
      }
    },
  );
});
