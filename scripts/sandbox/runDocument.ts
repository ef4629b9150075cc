/**
 * Runs an SSM Command document's shell step on this machine the way the SSM service and agent
 * would on a host, so tests exercise the very content `pulumi up` ships:
 * - the service refuses unknown parameters and values outside `allowedValues` / `allowedPattern`
 *   (with Java's `Matcher.find()` semantics, see javaPattern.ts) before anything runs;
 * - the agent fills in defaults, exports each parameter as `SSM_<Name>` (ENV_VAR interpolation),
 *   writes the `runCommand` lines to a script and runs it with `sh`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { javaFinds } from "./javaPattern";

interface DocumentParameterSpec {
  type: string;
  default?: string;
  allowedPattern?: string;
  allowedValues?: string[];
  interpolationType?: string;
}

interface ParsedDocument {
  schemaVersion: string;
  parameters?: Record<string, DocumentParameterSpec>;
  mainSteps: { action: string; inputs: { runCommand: string[]; timeoutSeconds?: string } }[];
}

export class InvalidParametersError extends Error {
  constructor(message: string) {
    super(`InvalidParameters: ${message}`);
    this.name = "InvalidParametersError";
  }
}

export interface DocumentRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The parameter values the service would accept, defaults filled in; throws as the API would. */
export function resolveParameters(
  content: string,
  given: Readonly<Record<string, string>>,
): Record<string, string> {
  const doc = JSON.parse(content) as ParsedDocument;
  const specs = doc.parameters ?? {};
  for (const name of Object.keys(given)) {
    if (!(name in specs)) throw new InvalidParametersError(`document has no parameter "${name}"`);
  }
  const resolved: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = given[name] ?? spec.default;
    if (value === undefined) throw new InvalidParametersError(`parameter "${name}" is required`);
    if (spec.allowedValues !== undefined && !spec.allowedValues.includes(value)) {
      throw new InvalidParametersError(
        `parameter "${name}" value ${JSON.stringify(value)} is not one of ${spec.allowedValues.join(", ")}`,
      );
    }
    if (spec.allowedPattern !== undefined && !javaFinds(spec.allowedPattern, value)) {
      throw new InvalidParametersError(
        `parameter "${name}" value ${JSON.stringify(value)} failed to satisfy constraint: Member must satisfy regular expression pattern: ${spec.allowedPattern}`,
      );
    }
    resolved[name] = value;
  }
  return resolved;
}

export interface RunDocumentOptions {
  readonly parameters?: Readonly<Record<string, string>>;
  /** Environment of the agent process (the sandbox adds its root, endpoint and credentials). */
  readonly env?: Readonly<Record<string, string>>;
  /** Called with each chunk of output as it arrives, for progress on long steps. */
  readonly onOutput?: (chunk: string) => void;
}

export async function runDocument(
  content: string,
  options: RunDocumentOptions = {},
): Promise<DocumentRun> {
  const doc = JSON.parse(content) as ParsedDocument;
  if (doc.schemaVersion !== "2.2")
    throw new Error(`unsupported schemaVersion ${doc.schemaVersion}`);
  const parameters = resolveParameters(content, options.parameters ?? {});
  const step = doc.mainSteps.find((s) => s.action === "aws:runShellScript");
  if (step === undefined || doc.mainSteps.length !== 1)
    throw new Error("expected exactly one aws:runShellScript step");

  const env: Record<string, string> = { ...(options.env ?? process.env) } as Record<string, string>;
  for (const [name, value] of Object.entries(parameters)) {
    const spec = doc.parameters?.[name];
    if (spec?.interpolationType === "ENV_VAR") env[`SSM_${name}`] = value;
  }
  const workDir = mkdtempSync(join(tmpdir(), "ssm-run-"));
  const scriptPath = join(workDir, "_script.sh");
  writeFileSync(scriptPath, `${step.inputs.runCommand.join("\n")}\n`, { mode: 0o700 });
  const timeoutMs = Number(step.inputs.timeoutSeconds ?? "3600") * 1000;
  try {
    return await new Promise<DocumentRun>((resolve, reject) => {
      const child = spawn("sh", [scriptPath], {
        cwd: workDir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        options.onOutput?.(d.toString());
      });
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        options.onOutput?.(d.toString());
      });
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ exitCode: code ?? (signal ? 124 : 1), stdout, stderr });
      });
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
