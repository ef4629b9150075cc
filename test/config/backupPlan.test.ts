/**
 * The stack config key `postgresBackupPlan`: the runbook's daily full when absent, as set when
 * valid, and each rule with a failing case and its exact message (key, value, what is allowed).
 */
import { expect, test } from "vitest";
import { validateStackConfig } from "../../infra/config/validate";

const REGION = "us-east-1";
const MINIMAL = { alertEmail: "devops@stellar-insights.com" } as const;

function validate(raw: Record<string, string>) {
  return validateStackConfig({ ...MINIMAL, ...raw }, REGION);
}

function problemsOf(raw: Record<string, string>): string[] {
  const result = validate(raw);
  return result.ok
    ? []
    : result.problems.map((p) => `${p.key} = ${JSON.stringify(p.value)}: ${p.message}`);
}

test("absent, the plan is the runbook's: a full backup on every run", () => {
  const result = validate({});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  expect(result.config.postgresBackupPlan).toEqual({ fullEveryDays: 1 });
});

test("a weekly full with a differential between, as set", () => {
  const result = validate({
    postgresBackupPlan: '{"fullEveryDays":7,"betweenFulls":"differential"}',
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  expect(result.config.postgresBackupPlan).toEqual({
    fullEveryDays: 7,
    betweenFulls: "differential",
  });
});

test.each<[string, Record<string, string>, string]>([
  [
    "runs between fulls without a kind",
    { postgresBackupPlan: '{"fullEveryDays":7}' },
    "postgresBackupPlan.betweenFulls = undefined: is missing: with a full every 7 days, the runs between take a differential or incremental; allowed: differential, incremental",
  ],
  [
    "a kind with daily fulls",
    { postgresBackupPlan: '{"fullEveryDays":1,"betweenFulls":"incremental"}' },
    'postgresBackupPlan.betweenFulls = "incremental": is not used: with fullEveryDays 1 every run takes a full; remove it or raise fullEveryDays',
  ],
  [
    "a kind that is not one",
    { postgresBackupPlan: '{"fullEveryDays":7,"betweenFulls":"full"}' },
    'postgresBackupPlan.betweenFulls = "full": must be one of differential, incremental',
  ],
  [
    "a full less often than PostgreSQL's retention",
    { postgresBackupPlan: '{"fullEveryDays":45,"betweenFulls":"differential"}' },
    "postgresBackupPlan.fullEveryDays = 45: must be at most 30 (the days PostgreSQL's backups are kept): a full must come round within the retention it serves",
  ],
  [
    "no days",
    { postgresBackupPlan: '{"fullEveryDays":0,"betweenFulls":"differential"}' },
    "postgresBackupPlan.fullEveryDays = 0: must be a whole number of days from 1 to retentionDays.postgres (the days PostgreSQL's backups are kept)",
  ],
  [
    "an unknown field",
    { postgresBackupPlan: '{"fullEveryDays":7,"betweenFulls":"differential","fullOn":"SUN"}' },
    'postgresBackupPlan.fullOn = "SUN": unknown field; allowed: fullEveryDays, betweenFulls',
  ],
])("%s is refused, naming the key, the value and what is allowed", (_name, raw, message) => {
  expect(problemsOf(raw)).toContain(message);
});

test("retention raised to cover the plan makes it valid", () => {
  expect(
    problemsOf({
      postgresBackupPlan: '{"fullEveryDays":45,"betweenFulls":"differential"}',
      retentionDays: '{"postgres":45,"wal":45}',
    }),
  ).toEqual([]);
});
