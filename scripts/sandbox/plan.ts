/**
 * Reads the offline synth output (`out/synth/<stack>/plan.json`) the way a host would see the
 * stack: the sandbox bucket gets the name, versioning, encryption, policy and lifecycle declared
 * there, not a restatement of them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { BUCKET_ROLE_TAG, BucketRole } from "../../infra/catalog/bucketRoles";
import type { Plan, PlannedResource } from "../../infra/synth/plan";
import { existingStackFile, StackFileError } from "../../infra/synth/stackFile";
import { exitWithUsageError, type CommandSpec, type OptionSpec } from "../cli/commandLine";

import { REPO_ROOT } from "../../infra/repoRoot";

export { REPO_ROOT };

export type { Plan } from "../../infra/synth/plan";

export function defaultSynthDir(stack: string): string {
  return join(REPO_ROOT, "out", "synth", stack);
}

/**
 * For a command-line tool: exits with its usage error (exit 2) when `stack` has no
 * `Pulumi.<stack>.yaml`, naming the stacks that exist, before anything is started.
 */
export function requireStackFile(
  command: CommandSpec<Readonly<Record<string, OptionSpec>>>,
  stack: string,
): void {
  try {
    existingStackFile(REPO_ROOT, stack);
  } catch (error) {
    if (error instanceof StackFileError) exitWithUsageError(command, [error.message]);
    throw error;
  }
}

/** Runs `npm run synth` for `stack` into `outDir` (offline, a couple of seconds). */
export function synthesize(stack: string, outDir: string): void {
  const result = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      join(REPO_ROOT, "infra", "synth", "main.ts"),
      "--stack",
      stack,
      "--out",
      outDir,
    ],
    { cwd: REPO_ROOT, encoding: "utf8" },
  );
  if (result.status !== 0) {
    throw new Error(
      `synth of stack '${stack}' failed (exit ${result.status}): ${(result.stderr || result.stdout).trim()}`,
    );
  }
}

/** The plan in `synthDir`, synthesizing it first when it is missing. */
export function loadPlan(stack: string, synthDir = defaultSynthDir(stack)): Plan {
  const path = join(synthDir, "plan.json");
  if (!existsSync(path)) synthesize(stack, synthDir);
  const plan = JSON.parse(readFileSync(path, "utf8")) as Plan;
  if (plan.stack !== stack)
    throw new Error(`${path} is the plan of stack '${plan.stack}', not '${stack}'`);
  return plan;
}

export interface BucketLayout {
  readonly name: string;
  readonly versioning?: string;
  readonly encryption?: {
    readonly sseAlgorithm: string;
    readonly bucketKeyEnabled: boolean;
  };
  /** The bucket policy as declared (JSON text). */
  readonly policy?: string;
  /** Lifecycle rules in the plan's (Pulumi) shape. */
  readonly lifecycleRules: readonly Record<string, unknown>[];
  /** The default retention of the bucket's Object Lock, when the plan locks it. */
  readonly objectLock?: { readonly mode: string; readonly days: number };
}

function forBucket(plan: Plan, type: string, bucket: string): PlannedResource | undefined {
  return plan.resources.find((r) => r.type === type && r.inputs.bucket === bucket);
}

/**
 * A bucket's layout: the `aws:s3/bucket:Bucket` tagged with `role` (default: the backup bucket;
 * `replica` for its cross-region copy) and its satellites.
 */
export function backupBucketLayout(plan: Plan, role: string = BucketRole.backups): BucketLayout {
  const bucket = plan.resources.find(
    (r) =>
      r.type === "aws:s3/bucket:Bucket" &&
      (r.inputs.tags as Record<string, string> | undefined)?.[BUCKET_ROLE_TAG] === role,
  );
  const name = bucket?.inputs.bucket;
  if (typeof name !== "string")
    throw new Error(
      `the plan of stack '${plan.stack}' has no bucket tagged ${BUCKET_ROLE_TAG}=${role}`,
    );
  const lock = forBucket(
    plan,
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    name,
  )?.inputs.rule as { defaultRetention?: { mode?: string; days?: number } } | undefined;
  const retention = lock?.defaultRetention;
  const versioning = forBucket(plan, "aws:s3/bucketVersioning:BucketVersioning", name)?.inputs
    .versioningConfiguration as { status?: string } | undefined;
  const sse = forBucket(
    plan,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    name,
  )?.inputs.rules as
    | {
        applyServerSideEncryptionByDefault?: { sseAlgorithm?: string };
        bucketKeyEnabled?: boolean;
      }[]
    | undefined;
  const policy = forBucket(plan, "aws:s3/bucketPolicy:BucketPolicy", name)?.inputs.policy;
  const lifecycle = forBucket(
    plan,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    name,
  )?.inputs.rules;
  const rule = sse?.[0];
  return {
    name,
    ...(versioning?.status ? { versioning: versioning.status } : {}),
    ...(rule?.applyServerSideEncryptionByDefault?.sseAlgorithm
      ? {
          encryption: {
            sseAlgorithm: rule.applyServerSideEncryptionByDefault.sseAlgorithm,
            bucketKeyEnabled: rule.bucketKeyEnabled === true,
          },
        }
      : {}),
    ...(typeof policy === "string" ? { policy } : {}),
    lifecycleRules: Array.isArray(lifecycle) ? (lifecycle as Record<string, unknown>[]) : [],
    ...(retention?.mode && retention.days
      ? { objectLock: { mode: retention.mode, days: retention.days } }
      : {}),
  };
}
