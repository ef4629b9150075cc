/**
 * `npm run synth [-- --stack prod] [-- --stack-file FILE] [-- --out DIR]`: the offline plan of a
 * stack, from its `Pulumi.<stack>.yaml`, written to `out/synth/<stack>/plan.json`. A `--stack-file`
 * without `--stack` is the stack its name says (`Pulumi.staging.yaml`: staging).
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseCommandLine } from "../../scripts/cli/commandLine";
import { JOBS } from "../catalog";
import { unshippedSummary } from "../build/shippedJobs";
import { POST_DEPLOY_CHECK_JOB } from "../components/postDeployCheck";
import { StackConfigError } from "../config/stackConfig";
import { writeArtifacts } from "./artifacts";
import { serializePlan } from "./plan";
import { OutDirError, prepareOutDir } from "./outDir";
import { existingStackFile, StackFileError, stackNamedBy, stackOfFile } from "./stackFile";
import { REPO_ROOT, synthesizeStack } from "./synthesizeStack";

/** The stack synthesized when neither --stack nor --stack-file names one. */
const DEFAULT_STACK = "prod";

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
      description:
        "stack to synthesize; its config is Pulumi.NAME.yaml (default: NAME of --stack-file Pulumi.NAME.yaml, else prod)",
    },
    "stack-file": {
      type: "string",
      value: "FILE",
      description:
        "read the config from FILE instead of Pulumi.NAME.yaml (named Pulumi.<stack>.yaml, or give --stack)",
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
    2: "bad command line, unknown stack, a stack file that is not readable YAML shaped as a stack file, or an --out that cannot be written",
  },
} as const;

async function main(): Promise<number> {
  const values = parseCommandLine(COMMAND);
  const given = values["stack-file"];
  // A stack file names its stack (Pulumi.<stack>.yaml); resource names derive from it.
  const stack = given ? stackOfFile(given, values.stack) : (values.stack ?? DEFAULT_STACK);
  const named = given ? stackNamedBy(given) : undefined;
  // Deliberate for a variant synthesized under the stack's names (tests compare plans so), a slip otherwise.
  if (named !== undefined && named !== stack)
    console.error(
      `synth: warning: ${given} is named for stack '${named}' but is synthesized as '${stack}' (--stack): resource names and the default --out are '${stack}''s`,
    );
  const stackFile = given ? resolve(given) : existingStackFile(REPO_ROOT, stack);
  const outDir = resolve(values.out ?? join(REPO_ROOT, "out", "synth", stack));

  const started = performance.now();
  const plan = await synthesizeStack(stack, stackFile);
  prepareOutDir(outDir);
  const planPath = join(outDir, "plan.json");
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
    if (cause instanceof StackFileError || cause instanceof OutDirError) {
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
