import { resourcePolicy } from "../lib/define";
import { documentsOf, parsePolicyDocument } from "../lib/policyDocument";
import { wildcardGrants } from "../lib/wildcardGrants";

export const iamNoWildcardGrants = resourcePolicy({
  name: "backup-iam-no-wildcard-grants",
  description:
    "No IAM or bucket policy allows every action, 's3:*' or 'kms:*', nor S3 or KMS actions on every " +
    "resource: whoever holds such a grant can delete the backups or schedule their key's deletion.",
  kinds: ["iamPolicyDocuments", "iamRole", "bucketPolicy"],
  check: (props, args) =>
    documentsOf(args.type, props).flatMap(({ label, document }) => {
      const parsed = parsePolicyDocument(document);
      if (parsed.ok === "unknown") return [];
      if (parsed.ok === false) return [`${label} ${parsed.reason}; it cannot be checked`];
      return wildcardGrants(parsed.statements).map((problem) => `${label}: ${problem}`);
    }),
});
