import { isKind } from "../lib/awsTypes";
import type { PolicyDocumentHolderProps, RoleInlinePolicyProps, RoleProps } from "../lib/awsProps";
import { resourcePolicy } from "../lib/define";
import { isUnknown, list, record } from "../lib/known";
import { parsePolicyDocument } from "../lib/policyDocument";
import { wildcardGrants } from "../lib/wildcardGrants";

/** The documents a resource carries, with a label for messages. */
function documents(
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

export const iamNoWildcardGrants = resourcePolicy({
  name: "backup-iam-no-wildcard-grants",
  description:
    "No IAM or bucket policy allows every action, 's3:*' or 'kms:*', nor S3 or KMS actions on every " +
    "resource: whoever holds such a grant can delete the backups or schedule their key's deletion.",
  kinds: ["iamPolicyDocuments", "iamRole", "bucketPolicy"],
  check: (props, args) =>
    documents(args.type, props).flatMap(({ label, document }) => {
      const parsed = parsePolicyDocument(document);
      if (parsed.ok === "unknown") return [];
      if (parsed.ok === false) return [`${label} ${parsed.reason}; it cannot be checked`];
      return wildcardGrants(parsed.statements).map((problem) => `${label}: ${problem}`);
    }),
});
