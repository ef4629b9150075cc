/**
 * The sandbox's stand-in for `pulumi up` plus the SSM service: it uploads the objects the plan
 * declares (same keys, same bytes) into the sandbox bucket, and runs the plan's documents with
 * `runDocument`, in the environment an SSM Agent on a host would give them plus the sandbox's
 * endpoint, credentials and root directory.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { documentName, type DocumentKey } from "../../infra/catalog";
import { sandboxClientSettings } from "./moto";
import type { Plan } from "./plan";
import { REPO_ROOT } from "./plan";
import { runDocument, type DocumentRun } from "./runDocument";
import type { Sandbox } from "./sandbox";

const OBJECT_TYPE = "aws:s3/bucketObjectv2:BucketObjectv2";
const DOCUMENT_TYPE = "aws:ssm/document:Document";

export function sandboxS3(sandbox: Sandbox): S3Client {
  return new S3Client({
    ...sandboxClientSettings(sandbox.moto.endpoint, sandbox.hostConfig.region),
    forcePathStyle: true,
  });
}

/** Uploads every S3 object the plan declares; returns how many. */
export async function uploadPlannedObjects(plan: Plan, sandbox: Sandbox): Promise<number> {
  const s3 = sandboxS3(sandbox);
  const objects = plan.resources.filter((r) => r.type === OBJECT_TYPE);
  for (const object of objects) {
    const { key, content, source } = object.inputs as {
      key: string;
      content?: string;
      source?: { fileAsset?: string };
    };
    const body =
      content ??
      (source?.fileAsset ? readFileSync(resolve(REPO_ROOT, source.fileAsset)) : undefined);
    if (body === undefined)
      throw new Error(`planned object ${object.name} has neither content nor a file source`);
    await s3.send(new PutObjectCommand({ Bucket: sandbox.bucket.name, Key: key, Body: body }));
  }
  s3.destroy();
  return objects.length;
}

/** The content of the plan's SSM document `key`. */
export function plannedDocument(plan: Plan, key: DocumentKey): string {
  const name = documentName(plan.stack, key);
  const doc = plan.resources.find((r) => r.type === DOCUMENT_TYPE && r.inputs.name === name);
  if (doc === undefined)
    throw new Error(`the plan of stack '${plan.stack}' has no document ${name}`);
  return String(doc.inputs.content);
}

/** Where the install document puts host files in the sandbox (it prefixes every host path). */
export function hostRoot(sandbox: Sandbox): string {
  return join(sandbox.dir, "host");
}

/** The environment an SSM Agent would give a document on this sandbox's host. */
export function agentEnvironment(sandbox: Sandbox): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    ...sandbox.env,
    AWS_ENDPOINT_URL: sandbox.moto.endpoint,
    AWS_DEFAULT_REGION: sandbox.hostConfig.region,
    STELLAR_BACKUP_ROOT: hostRoot(sandbox),
  };
}

export interface SendCommandOptions {
  readonly parameters?: Readonly<Record<string, string>>;
  /** More of the host's own environment (not parameters), e.g. a tighter engine I/O timeout. */
  readonly hostEnv?: Readonly<Record<string, string>>;
  readonly onOutput?: (chunk: string) => void;
}

/** `aws ssm send-command` of the plan's document `key`, answered on this machine. */
export function sendCommand(
  plan: Plan,
  sandbox: Sandbox,
  key: DocumentKey,
  options: SendCommandOptions = {},
): Promise<DocumentRun> {
  return runDocument(plannedDocument(plan, key), {
    parameters: options.parameters,
    env: { ...agentEnvironment(sandbox), ...options.hostEnv },
    onOutput: options.onOutput,
  });
}
