/**
 * IAM / bucket policy documents, read into a uniform shape: `Statement`, `Action`, `Resource` and
 * friends may each be one value or a list, and the document may arrive as JSON text or as an object.
 */
import { isKind } from "./awsTypes";
import type { PolicyDocumentHolderProps, RoleInlinePolicyProps, RoleProps } from "./awsProps";
import { isUnknown, list, record } from "./known";

export interface Statement {
  /** `Sid`, or the statement's position when it has none. */
  readonly label: string;
  readonly effect: "Allow" | "Deny";
  readonly principal: unknown;
  readonly actions: readonly string[];
  readonly notActions: readonly string[] | undefined;
  readonly resources: readonly string[];
  readonly notResources: readonly string[] | undefined;
  readonly condition: Record<string, unknown>;
}

export type ParsedDocument =
  | { readonly ok: true; readonly statements: readonly Statement[] }
  | { readonly ok: false; readonly reason: string }
  /** Computed from outputs not known during preview. */
  | { readonly ok: "unknown" };

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return list(value).filter((v): v is string => typeof v === "string");
}

function optionalStrings(value: unknown): string[] | undefined {
  return value === undefined ? undefined : strings(value);
}

export function parsePolicyDocument(value: unknown): ParsedDocument {
  if (isUnknown(value)) return { ok: "unknown" };
  let document: unknown = value;
  if (typeof value === "string") {
    try {
      document = JSON.parse(value);
    } catch (error) {
      return { ok: false, reason: `is not valid JSON (${(error as Error).message})` };
    }
  }
  const root = record(document);
  if (root === undefined) return { ok: false, reason: "is not a policy document object" };
  const raw = Array.isArray(root.Statement)
    ? root.Statement
    : root.Statement === undefined
      ? []
      : [root.Statement];
  const statements: Statement[] = [];
  for (const [index, entry] of raw.entries()) {
    const s = record(entry);
    if (s === undefined || (s.Effect !== "Allow" && s.Effect !== "Deny")) {
      return { ok: false, reason: `statement #${index + 1} has no Effect of Allow or Deny` };
    }
    statements.push({
      label: typeof s.Sid === "string" && s.Sid !== "" ? `'${s.Sid}'` : `#${index + 1}`,
      effect: s.Effect,
      principal: s.Principal,
      actions: strings(s.Action),
      notActions: optionalStrings(s.NotAction),
      resources: strings(s.Resource),
      notResources: optionalStrings(s.NotResource),
      condition: record(s.Condition) ?? {},
    });
  }
  return { ok: true, statements };
}

/** The documents a resource carries, with a label for messages. */
export function documentsOf(
  type: string,
  props: Record<string, unknown>,
): { label: string; document: unknown }[] {
  if (isKind(type, "iamRole")) {
    const inline = (props as RoleProps).inlinePolicies;
    if (isUnknown(inline)) return [{ label: "inline policies", document: inline }];
    return list(inline).map((entry, index) => {
      const policy = (record(entry) ?? {}) as RoleInlinePolicyProps;
      const name = typeof policy.name === "string" ? `'${policy.name}'` : `#${index + 1}`;
      return { label: `inline policy ${name}`, document: policy.policy };
    });
  }
  return [{ label: "policy", document: (props as PolicyDocumentHolderProps).policy }];
}
