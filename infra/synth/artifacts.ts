/**
 * Writes what the plan ships to hosts beside it, under `out/synth/<stack>/artifacts/`: each artifact
 * as `<name><ext>` (host-config.json, postgresql.conf, redis.conf, job-<job>.mjs), the manifest,
 * every SSM document as `documents/<name>.json`, and `index.json` listing them with their SHA-256.
 * The sandbox and the drill start from these files, as a host starts from the uploaded ones.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { stableJson } from "../catalog/stableJson";
import type { Plan, PlannedResource } from "./plan";

export interface ShippedArtifact {
  readonly name: string;
  readonly key: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly dest: string;
  readonly mode: string;
}

const OBJECT_TYPE = "aws:s3/bucketObjectv2:BucketObjectv2";
const DOCUMENT_TYPE = "aws:ssm/document:Document";

export function artifactFileName(artifact: Pick<ShippedArtifact, "name" | "dest">): string {
  return `${artifact.name}${extname(artifact.dest)}`;
}

function writeObject(object: PlannedResource, target: string, repoRoot: string): void {
  const { content, source } = object.inputs as {
    content?: string;
    source?: { fileAsset?: string };
  };
  if (typeof content === "string") writeFileSync(target, content);
  else if (source?.fileAsset !== undefined)
    copyFileSync(resolve(repoRoot, source.fileAsset), target);
  else throw new Error(`S3 object ${object.name} has neither content nor a file source`);
}

export function writeArtifacts(plan: Plan, outDir: string, repoRoot: string): number {
  const dir = join(outDir, "artifacts");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "documents"), { recursive: true });
  const objects = new Map(
    plan.resources
      .filter((r) => r.type === OBJECT_TYPE)
      .map((r) => [String(r.inputs.key), r] as const),
  );
  const shipped = (plan.outputs.hostArtifacts ?? []) as ShippedArtifact[];
  for (const artifact of shipped) {
    const object = objects.get(artifact.key);
    if (object === undefined)
      throw new Error(`artifact ${artifact.name} (${artifact.key}) is not uploaded by the plan`);
    writeObject(object, join(dir, artifactFileName(artifact)), repoRoot);
  }
  const manifestKey = plan.outputs.hostManifestKey;
  const manifest = typeof manifestKey === "string" ? objects.get(manifestKey) : undefined;
  if (manifest !== undefined) writeObject(manifest, join(dir, "manifest.txt"), repoRoot);
  const documents = plan.resources.filter((r) => r.type === DOCUMENT_TYPE);
  for (const doc of documents) {
    writeFileSync(
      join(dir, "documents", `${String(doc.inputs.name)}.json`),
      String(doc.inputs.content),
    );
  }
  writeFileSync(
    join(dir, "index.json"),
    `${stableJson({ artifacts: shipped, manifestKey: manifestKey ?? null })}\n`,
  );
  return shipped.length + documents.length;
}
