/**
 * `npm run synth [-- --stack prod] [-- --out DIR]`: the offline plan of a stack, from its
 * `Pulumi.<stack>.yaml`, written to `out/synth/<stack>/plan.json`.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { JOBS } from "../catalog";
import { unshippedSummary } from "../build/shippedJobs";
import { POST_DEPLOY_CHECK_JOB } from "../components/postDeployCheck";
import { StackConfigError } from "../config/stackConfig";
import { writeArtifacts } from "./artifacts";
import { serializePlan } from "./plan";
import { REPO_ROOT, stackFilePath, synthesizeStack } from "./synthesizeStack";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string", default: "prod" },
      out: { type: "string" },
      "stack-file": { type: "string" },
    },
  });
  const stack = values.stack ?? "prod";
  const stackFile = resolve(values["stack-file"] ?? stackFilePath(stack));
  if (!existsSync(stackFile)) {
    console.error(`synth: no stack file ${stackFile}; create it (copy Pulumi.prod.yaml) or pass --stack NAME`);
    return 2;
  }
  const outDir = resolve(values.out ?? join(REPO_ROOT, "out", "synth", stack));

  const started = performance.now();
  const plan = await synthesizeStack(stack, stackFile);
  const planPath = join(outDir, "plan.json");
  mkdirSync(dirname(planPath), { recursive: true });
  writeFileSync(planPath, serializePlan(plan));
  const files = writeArtifacts(plan, outDir, REPO_ROOT);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  console.log(`synth: stack '${stack}': ${plan.resources.length} resources in ${seconds} s -> ${planPath}`);
  console.log(`synth: ${files} host artifacts and documents -> ${join(outDir, "artifacts")}`);
  const unshipped = unshippedSummary();
  if (unshipped.length > 0) {
    console.log("synth: catalog jobs not shipped yet (not scheduled, alarmed or in the README):");
    for (const line of unshipped) console.log(`synth:   ${line}`);
    if (!JOBS[POST_DEPLOY_CHECK_JOB].shipped) {
      console.log(`synth: no post-deploy check until ${POST_DEPLOY_CHECK_JOB} ships`);
    }
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const cause = error instanceof Error && error.cause instanceof StackConfigError ? error.cause : error;
    if (cause instanceof StackConfigError) {
      console.error(cause.message);
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
