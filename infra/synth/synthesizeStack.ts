/**
 * The whole offline path for one stack file: read it, validate nothing yourself (the program does),
 * and run the real program under the mocks. Shared by `npm run synth` and the tests.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { validateProgramConfig } from "../config/programConfig";
import { StackConfigError, type StackConfig } from "../config/stackConfig";
import type { Plan } from "./plan";
import { readStackFile, stackFileIn } from "./stackFile";
import { synthesize } from "./synthesize";

import { REPO_ROOT } from "../repoRoot";

export { REPO_ROOT };

/** The project name from `Pulumi.yaml`: the namespace of its config keys. */
export function projectName(): string {
  return (parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { name: string }).name;
}

export function stackFilePath(stack: string): string {
  return stackFileIn(REPO_ROOT, stack);
}

export function synthesizeStack(stack: string, stackFile = stackFilePath(stack)): Promise<Plan> {
  const { config, secretKeys } = readStackFile(stackFile);
  return synthesize({
    project: projectName(),
    stack,
    config,
    secretKeys,
    loadProgram: () => import("../index"),
  });
}

/** A stack file's validated config, as the program would see it; throws the full report. */
export function validatedStackConfig(stackFile: string): StackConfig {
  const project = projectName();
  const { config } = readStackFile(stackFile);
  const result = validateProgramConfig(project, config);
  if (!result.ok) throw new StackConfigError(project, result.problems);
  return result.config;
}
