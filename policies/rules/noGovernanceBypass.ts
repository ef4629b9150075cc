import * as v from "valibot";
import { BYPASS_GOVERNANCE_ACTION } from "../../infra/catalog";
import { policyConfigSchema } from "../lib/configJsonSchema";
import { isKind } from "../lib/awsTypes";
import type { PolicyDocumentHolderProps, RoleInlinePolicyProps, RoleProps } from "../lib/awsProps";
import { resourcePolicy } from "../lib/define";
import { isUnknown, list, record } from "../lib/known";
import { parsePolicyDocument, type Statement } from "../lib/policyDocument";

/** Whether an IAM action pattern (`s3:Bypass*`, `s3:*`, `*`) covers the bypass action. */
function covers(pattern: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  return regex.test(BYPASS_GOVERNANCE_ACTION);
}

/**
 * Every action (`*`, `s3:*`) and Allow with NotAction are `backup-iam-no-wildcard-grants`' to
 * refuse; this policy reports what that one lets through: the action by name, or a narrower
 * wildcard that still covers it (`s3:Bypass*`).
 */
function grantsBypass(statement: Statement): boolean {
  if (statement.effect !== "Allow") return false;
  return statement.actions.some((action) => !/^([^:]+:)?\*$/.test(action) && covers(action));
}

/** The pack config's one property here: the roles allowed to hold the bypass (none by default). */
const breakGlassConfig = v.object({
  breakGlassRoles: v.optional(
    v.pipe(
      v.array(v.pipe(v.string(), v.regex(/^[\w+=,.@-]{1,64}$/, "must be an IAM role name"))),
      v.description("Names of the IAM roles allowed to bypass GOVERNANCE retention (break glass)"),
    ),
    [],
  ),
});

/** The IAM role a document belongs to, when the resource says (role name). */
function owningRole(type: string, props: Record<string, unknown>): unknown {
  if (isKind(type, "iamRole")) return props.name;
  return props.role;
}

export const noGovernanceBypass = resourcePolicy({
  name: "backup-no-governance-bypass",
  description:
    "No IAM or bucket policy allows s3:BypassGovernanceRetention (by name or by a wildcard such as s3:Bypass*; " +
    "s3:* is backup-iam-no-wildcard-grants' to refuse) " +
    "except an explicit break-glass role named in the pack config (none by default): whoever holds it can " +
    "delete or shorten GOVERNANCE-locked backups, which is what the lock is there to stop.",
  kinds: ["iamPolicyDocuments", "iamRole", "bucketPolicy"],
  configSchema: policyConfigSchema(breakGlassConfig),
  check: (props, args) => {
    const allowed = v.parse(breakGlassConfig, args.getConfig()).breakGlassRoles;
    const role = owningRole(args.type, props);
    if (typeof role === "string" && allowed.includes(role)) return [];
    const documents = isKind(args.type, "iamRole")
      ? list((props as RoleProps).inlinePolicies).map((entry) => {
          const policy = (record(entry) ?? {}) as RoleInlinePolicyProps;
          return { label: `inline policy '${String(policy.name)}'`, document: policy.policy };
        })
      : [{ label: "policy", document: (props as PolicyDocumentHolderProps).policy }];
    return documents.flatMap(({ label, document }) => {
      if (isUnknown(document)) return [];
      const parsed = parsePolicyDocument(document);
      if (parsed.ok !== true) return [];
      return parsed.statements
        .filter(grantsBypass)
        .filter((s) => !isKind(args.type, "bucketPolicy") || !principalIsBreakGlass(s, allowed))
        .map(
          (s) =>
            `${label}: statement ${s.label} allows ${BYPASS_GOVERNANCE_ACTION}; only a break-glass role named in the pack config's breakGlassRoles may hold it`,
        );
    });
  },
});

/** A bucket policy statement whose every AWS principal is a break-glass role's ARN. */
function principalIsBreakGlass(statement: Statement, allowed: readonly string[]): boolean {
  const aws = record(statement.principal)?.AWS;
  const arns = typeof aws === "string" ? [aws] : list(aws).filter((a) => typeof a === "string");
  return (
    arns.length > 0 &&
    arns.every((arn) => allowed.some((name) => (arn as string).endsWith(`:role/${name}`)))
  );
}
