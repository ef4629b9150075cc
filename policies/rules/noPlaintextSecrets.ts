import type { SsmParameterProps } from "../lib/awsProps";
import { isKind } from "../lib/awsTypes";
import { resourcePolicy } from "../lib/define";
import {
  PLAINTEXT_SECRET_PATTERNS,
  SECRET_PARAMETER_NAME,
  stringsWithin,
} from "../lib/plaintextSecrets";

export const noPlaintextSecrets = resourcePolicy({
  name: "backup-no-plaintext-secrets",
  description:
    "No resource input holds a secret in plain text (an engine's cipher passphrase, a static AWS " +
    "key): SSM documents, the host config and every other input end up in the state, the plan " +
    "and on the hosts. A parameter named like a secret is a SecureString. Passphrases live in SSM " +
    "Parameter Store as SecureStrings that only the hosts read.",
  kinds: "every",
  check: (props, args) => {
    const problems = stringsWithin(props).flatMap(({ path, text }) =>
      PLAINTEXT_SECRET_PATTERNS.filter(({ pattern }) => pattern.test(text)).map(
        ({ what }) =>
          `input '${path}' holds ${what} in plain text; keep it in an SSM SecureString the host reads at run time`,
      ),
    );
    if (isKind(args.type, "ssmParameter")) {
      const { name, type } = props as SsmParameterProps;
      if (typeof name === "string" && SECRET_PARAMETER_NAME.test(name) && type !== "SecureString")
        problems.push(
          `SSM parameter '${name}' is named like a secret but is a ${String(type)}: make it a SecureString under the backup key`,
        );
    }
    return [...new Set(problems)];
  },
});
