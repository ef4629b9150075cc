/**
 * SSM Command documents (schema 2.2, one `aws:runShellScript` step). Pure: plain values in,
 * deterministic JSON out.
 *
 * Parameters never reach the script as text: each is declared with `interpolationType: ENV_VAR`, so
 * the SSM Agent hands it over as the environment variable `SSM_<Name>`, and scripts only ever read
 * `"$SSM_<Name>"` in double quotes. Documents contain no `{{ }}` at all. Every parameter also has an
 * `allowedPattern` or `allowedValues`, which the SSM API enforces before a command is sent.
 */
import { stableJson } from "../../catalog/stableJson";

/** The oldest SSM Agent that supports `interpolationType: ENV_VAR`. */
export const MIN_SSM_AGENT_FOR_ENV_VARS = "3.3.2746.0";
/** SSM refuses document content over 64 KB; bundles therefore travel through S3. */
export const SSM_DOCUMENT_MAX_BYTES = 64 * 1024;

export interface DocumentParameter {
  /** SSM parameter name; the script sees it as `$SSM_<name>`. */
  readonly name: string;
  readonly description: string;
  /** Absent: the parameter is required. */
  readonly default?: string;
  readonly allowedPattern?: string;
  readonly allowedValues?: readonly string[];
}

export interface CommandDocument {
  readonly description: string;
  readonly parameters: readonly DocumentParameter[];
  /** POSIX sh lines; the agent runs them with `sh`. */
  readonly script: readonly string[];
  readonly timeoutSeconds: number;
}

/**
 * Refuses to run on an agent that would leave `SSM_<name>` unset (older than ENV_VAR support):
 * falling back to `{{ }}` text substitution is exactly what these documents avoid.
 */
function requireEnvParameters(parameters: readonly DocumentParameter[]): string[] {
  return parameters.map(
    (p) =>
      `if [ -z "\${SSM_${p.name}+set}" ]; then echo "SSM Agent ${MIN_SSM_AGENT_FOR_ENV_VARS}+ is required (parameter ${p.name} did not arrive as SSM_${p.name}); update amazon-ssm-agent" >&2; exit 1; fi`,
  );
}

/**
 * An `allowedPattern` that the whole value must match. SSM validates with Java's
 * `Matcher.find()`, where `^...$` also passes a value with a trailing line terminator (`$` matches
 * before it; java.util.regex.Pattern javadoc); `\A` and `\z` are the start and the very end of the
 * input, so no line terminator can slip through.
 */
export function wholeValue(body: string): string {
  return `\\A(?:${body})\\z`;
}

const WHOLE_VALUE = /^\\A\(\?:[\s\S]*\)\\z$/;

export function renderCommandDocument(doc: CommandDocument): string {
  for (const p of doc.parameters) {
    if (p.allowedPattern === undefined && p.allowedValues === undefined) {
      throw new Error(`document parameter '${p.name}' needs allowedPattern or allowedValues`);
    }
    if (p.allowedPattern !== undefined && !WHOLE_VALUE.test(p.allowedPattern)) {
      throw new Error(
        `document parameter '${p.name}' allowedPattern ${JSON.stringify(p.allowedPattern)} must be built with wholeValue() (\\A(?:...)\\z): SSM's Matcher.find() lets '^...$' pass a trailing newline`,
      );
    }
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(p.name)) {
      throw new Error(
        `document parameter '${p.name}' must be alphanumeric (it becomes SSM_${p.name})`,
      );
    }
  }
  const text = doc.script.join("\n");
  if (text.includes("{{")) {
    throw new Error(
      'document scripts must not use {{ }} interpolation; read "$SSM_<Name>" instead',
    );
  }
  const parameters = Object.fromEntries(
    doc.parameters.map((p) => [
      p.name,
      {
        type: "String",
        description: p.description,
        ...(p.default !== undefined ? { default: p.default } : {}),
        interpolationType: "ENV_VAR",
        ...(p.allowedPattern !== undefined ? { allowedPattern: p.allowedPattern } : {}),
        ...(p.allowedValues !== undefined ? { allowedValues: p.allowedValues } : {}),
      },
    ]),
  );
  const content = stableJson({
    schemaVersion: "2.2",
    description: doc.description,
    parameters,
    mainSteps: [
      {
        action: "aws:runShellScript",
        name: "run",
        precondition: { StringEquals: ["platformType", "Linux"] },
        inputs: {
          timeoutSeconds: String(doc.timeoutSeconds),
          runCommand: [
            "#!/bin/sh",
            "set -eu",
            ...requireEnvParameters(doc.parameters),
            ...doc.script,
          ],
        },
      },
    ],
  });
  if (Buffer.byteLength(content) > SSM_DOCUMENT_MAX_BYTES) {
    throw new Error(
      `document '${doc.description}' is ${Buffer.byteLength(content)} bytes, over SSM's 64 KB limit`,
    );
  }
  return content;
}
