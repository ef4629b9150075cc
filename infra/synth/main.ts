/**
 * `npm run synth [-- --stack prod] [-- --out DIR]`: the offline plan of a stack, from its
 * `Pulumi.<stack>.yaml`, written to `out/synth/<stack>/plan.json`.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
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
