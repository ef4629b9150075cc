/**
 * Variants of the prod stack file, synthesized as real processes (`npm run synth` with
 * `--stack-file`), for tests that change one key and compare the plans.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";

const ROOT = join(__dirname, "..", "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "config-changes-"));
export const PROD_STACK_FILE = readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8");

export interface PlannedResource {
  type: string;
  name: string;
  parent?: string | null;
  protect?: true;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- plan JSON, read by each test's own path
  inputs: Record<string, any>;
}

export interface PlanFile {
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}

/** Synthesizes the prod file with `edit` applied (same stack name, so derived names stay equal). */
export async function synthVariant(
  label: string,
  edit: (text: string) => string,
): Promise<PlanFile> {
  const text = edit(PROD_STACK_FILE);
  if (label !== "prod") expect(text, `${label} edits the stack file`).not.toBe(PROD_STACK_FILE);
  const stackFile = join(work, `Pulumi.${label}.yaml`);
  writeFileSync(stackFile, text);
  const out = join(work, label);
  await run(
    TSX,
    ["infra/synth/main.ts", "--stack", "prod", "--stack-file", stackFile, "--out", out],
    { cwd: ROOT },
  );
  return JSON.parse(readFileSync(join(out, "plan.json"), "utf8")) as PlanFile;
}

/** A host artifact (`host-config.json`, a job bundle…) the variant `label`'s synth wrote. */
export function variantArtifact(label: string, file: string): string {
  return readFileSync(join(work, label, "artifacts", file), "utf8");
}

/** Names of the resources whose inputs differ; the two plans must hold the same resources. */
export function changed(base: PlanFile, variant: PlanFile): string[] {
  expect(variant.resources.map((r) => `${r.type} ${r.name}`)).toEqual(
    base.resources.map((r) => `${r.type} ${r.name}`),
  );
  return variant.resources
    .filter((r, i) => JSON.stringify(r.inputs) !== JSON.stringify(base.resources[i].inputs))
    .map((r) => r.name);
}

export const inputsOf = (plan: PlanFile, name: string) =>
  plan.resources.find((r) => r.name === name)!.inputs;
