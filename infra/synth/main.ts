/**
 * `npm run synth [-- --stack prod] [-- --stack-file FILE] [-- --out DIR]`: the offline plan of a
 * stack, from its `Pulumi.<stack>.yaml`, written to `out/synth/<stack>/plan.json`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseCommandLine } from "../../scripts/lib/commandLine";
import { JOBS } from "../catalog";
import { unshippedSummary } from "../build/shippedJobs";
import { POST_DEPLOY_CHECK_JOB } from "../components/postDeployCheck";
import { StackConfigError } from "../config/stackConfig";
import { writeArtifacts } from "./artifacts";
import { serializePlan } from "./plan";
import { existingStackFile, StackFileError } from "./stackFile";
import { REPO_ROOT, synthesizeStack } from "./synthesizeStack";

const COMMAND = {
  command: "npm run synth --",
  name: "synth",
  summary:
    "Runs the Pulumi program offline under Pulumi's mock runtime (no credentials, no network) and writes\n" +
    "what `pulumi up` would create to <out>/plan.json, with the rendered documents, config fragments and\n" +
    "job bundles under <out>/artifacts/.",
  options: {
    stack: {
      type: "string",
      value: "NAME",
      default: "prod",
      description: "stack to synthesize; its config is Pulumi.NAME.yaml",
    },
    "stack-file": {
      type: "string",
      value: "FILE",
      description: "read the config from FILE instead of Pulumi.NAME.yaml",
    },
    out: {
      type: "string",
      value: "DIR",
      description: "output directory (default: out/synth/NAME)",
    },
  },
  exitCodes: {
    0: "plan written",
    1: "the stack config is invalid (every problem listed; nothing written) or the program failed",
    2: "bad command line, unknown stack, or a stack file that is not readable YAML shaped as a stack file",
  },
} as const;

async function main(): Promise<number> {
  const values = parseCommandLine(COMMAND);
  const stack = values.stack;
  const stackFile = values["stack-file"]
    ? resolve(values["stack-file"])
    : existingStackFile(REPO_ROOT, stack);
  const outDir = resolve(values.out ?? join(REPO_ROOT, "out", "synth", stack));

  const started = performance.now();
  const plan = await synthesizeStack(stack, stackFile);
  const planPath = join(outDir, "plan.json");
  mkdirSync(dirname(planPath), { recursive: true });
  writeFileSync(planPath, serializePlan(plan));
  const files = writeArtifacts(plan, outDir, REPO_ROOT);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  console.log(
    `synth: stack '${stack}': ${plan.resources.length} resources in ${seconds} s -> ${planPath}`,
  );
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
    // The program rethrows config errors wrapped by Pulumi's runtime.
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    if (cause instanceof StackFileError) {
      console.error(`synth: ${cause.message}`);
      process.exit(2);
    }
    if (cause instanceof StackConfigError) {
      console.error(cause.message);
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
