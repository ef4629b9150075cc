/**
 * `npm run policy [-- --plan FILE] [-- --config FILE]`: runs the policy pack's policies over an
 * offline plan (default `out/synth/prod/plan.json`, written by `npm run synth`).
 *
 * Prints one line per violation, `policy  resource  message`, then a summary. Exit code 0 when no
 * mandatory policy is violated, 1 when one is, 2 when the plan or config cannot be read.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { Plan } from "../infra/synth/plan";
import { parseCommandLine } from "../scripts/cli/commandLine";
import { evaluatePlan, hasMandatoryViolation, type Evaluation } from "./offline/evaluate";
import { parsePackConfig } from "./offline/packConfig";
import { PolicyConfigError } from "./lib/policyConfigError";
import { BACKUP_POLICIES } from "./policies";

const REPO_ROOT = resolve(__dirname, "..");
export const DEFAULT_PLAN = join(REPO_ROOT, "out", "synth", "prod", "plan.json");

class UsageError extends Error {}

const COMMAND = {
  command: "npm run policy --",
  name: "policy",
  summary:
    "Runs the policy pack's policies over an offline plan written by `npm run synth`, prints one line per\n" +
    "violation (policy, resource, message; [advisory] for advisory ones) and a summary.",
  options: {
    plan: {
      type: "string",
      value: "FILE",
      default: "out/synth/prod/plan.json",
      description: "plan to check",
    },
    config: {
      type: "string",
      value: "FILE",
      description: "policy config (the JSON that `pulumi preview --policy-pack-config` takes)",
    },
  },
  exitCodes: {
    0: "no mandatory policy is violated",
    1: "a mandatory policy is violated",
    2: "bad command line, the plan or policy config cannot be read, or a policy crashed",
  },
} as const;

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) {
    const hint = path === DEFAULT_PLAN ? " (run `npm run synth` first)" : "";
    throw new UsageError(`no ${what} at ${path}${hint}`);
  }
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function asPlan(value: unknown, path: string): Plan {
  const plan = value as Partial<Plan> | null;
  if (typeof plan?.stack !== "string" || !Array.isArray(plan.resources)) {
    throw new UsageError(
      `${path} is not a plan: expected {stack, resources: [{type, name, parent, inputs}], outputs}`,
    );
  }
  return { stack: plan.stack, resources: plan.resources, outputs: plan.outputs ?? {} };
}

function projectName(): string {
  const document = parseYaml(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
    name?: unknown;
  };
  if (typeof document.name !== "string") throw new UsageError("Pulumi.yaml has no project name");
  return document.name;
}

export function formatEvaluation(evaluation: Evaluation): string[] {
  const lines = evaluation.violations.map(
    (v) =>
      `${v.policy}  ${v.resource}  ${v.message}${v.level === "advisory" ? "  [advisory]" : ""}`,
  );
  const mandatory = evaluation.violations.filter((v) => v.level === "mandatory").length;
  const advisory = evaluation.violations.length - mandatory;
  const count = evaluation.violations.length;
  lines.push(
    `${evaluation.policiesRun.length} policies run, ${evaluation.resourcesChecked} resources checked, ` +
      `${count} violation${count === 1 ? "" : "s"} (${mandatory} mandatory, ${advisory} advisory)`,
  );
  return lines;
}

async function main(): Promise<number> {
  const values = parseCommandLine(COMMAND);
  // The default is the repository's synth output wherever the command runs; a given path is the
  // caller's, relative to where they are.
  const planPath =
    values.plan === COMMAND.options.plan.default ? DEFAULT_PLAN : resolve(values.plan);
  const plan = asPlan(readJson(planPath, "plan"), planPath);
  const names = BACKUP_POLICIES.map((p) => p.name);
  const config = values.config
    ? parsePackConfig(readJson(resolve(values.config), "policy config"), names)
    : {};
  const evaluation = await evaluatePlan(plan, { project: projectName(), config });
  console.log(`policy: stack '${plan.stack}' from ${planPath}`);
  for (const line of formatEvaluation(evaluation)) console.log(line);
  return hasMandatoryViolation(evaluation) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A plan or config that cannot be read, or a policy that crashed: neither pass nor fail. Only
    // a crash needs its stack; the others are the person's to fix, and the message says how.
    const told = error instanceof UsageError || error instanceof PolicyConfigError;
    console.error(told ? `policy: ${error.message}` : error);
    process.exit(2);
  },
);
