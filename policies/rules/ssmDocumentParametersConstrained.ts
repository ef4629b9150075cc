import { parse as parseYaml } from "yaml";
import type { SsmDocumentProps } from "../lib/awsProps";
import { resourcePolicy } from "../lib/define";
import { isUnknown, record } from "../lib/known";

type Content = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

function parseContent(content: string, format: unknown): Content {
  // `documentFormat` defaults to JSON; YAML is a superset of JSON, so YAML parsing reads both.
  const yaml = format === "YAML";
  try {
    const value = record(yaml ? parseYaml(content) : JSON.parse(content));
    return value ? { ok: true, value } : { ok: false, reason: "content is not an object" };
  } catch (error) {
    return {
      ok: false,
      reason: `content is not valid ${yaml ? "YAML" : "JSON"} (${(error as Error).message})`,
    };
  }
}

function constrained(parameter: Record<string, unknown> | undefined): boolean {
  const pattern = parameter?.allowedPattern;
  const values = parameter?.allowedValues;
  return (
    (typeof pattern === "string" && pattern !== "") || (Array.isArray(values) && values.length > 0)
  );
}

export const ssmDocumentParametersConstrained = resourcePolicy({
  name: "backup-ssm-document-parameters-constrained",
  description:
    "Every parameter of every SSM document has an allowedPattern or allowedValues: documents run as " +
    "root on the database hosts, and SSM refuses a value that breaks the constraint before it reaches the shell.",
  kinds: ["ssmDocument"],
  check: (props) => {
    const { content, documentFormat } = props as SsmDocumentProps;
    if (isUnknown(content) || isUnknown(documentFormat) || documentFormat === "TEXT") return [];
    if (typeof content !== "string") return ["has no content"];
    const parsed = parseContent(content, documentFormat);
    if (!parsed.ok) return [`${parsed.reason}; its parameters cannot be checked`];
    const parameters = record(parsed.value.parameters) ?? {};
    return Object.keys(parameters)
      .filter((name) => !constrained(record(parameters[name])))
      .map(
        (name) =>
          `parameter '${name}' has neither allowedPattern nor allowedValues: any value reaches the host`,
      );
  },
});
