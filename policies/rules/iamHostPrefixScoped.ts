import { resourcePolicy } from "../lib/define";
import { crossHostGrants } from "../lib/hostPrefixGrants";
import { documentsOf, parsePolicyDocument } from "../lib/policyDocument";

export const iamHostPrefixScoped = resourcePolicy({
  name: "backup-iam-host-prefix-scoped",
  description:
    "No IAM policy grants S3 access to a per-host prefix ('configs/', 'logs/', 'postgres/', 'redis/') " +
    "across hosts: each host reaches only '<prefix><its id>/' (and reads the hosts it restores from), so " +
    "one compromised host cannot overwrite, read or erase another host's backups.",
  kinds: ["iamPolicyDocuments", "iamRole"],
  check: (props, args) =>
    documentsOf(args.type, props).flatMap(({ label, document }) => {
      const parsed = parsePolicyDocument(document);
      // Unreadable documents are backup-iam-no-wildcard-grants' to report.
      if (parsed.ok !== true) return [];
      return crossHostGrants(parsed.statements).map((problem) => `${label}: ${problem}`);
    }),
});
