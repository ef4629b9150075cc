import { ENCRYPTION_CONTEXT_KEYS } from "../../infra/catalog/clientSideEncryption";
import type { BucketObjectProps, KmsAliasProps, SsmDocumentProps } from "../lib/awsProps";
import { stackPolicy } from "../lib/define";
import { isUnknown, record } from "../lib/known";
import { parsePolicyDocument, type Statement } from "../lib/policyDocument";
import type { StackView } from "../lib/stackView";

/** Where the shipped host config lives among the artifacts (infra/content/host/hostArtifacts.ts). */
const HOST_CONFIG_KEY = /^artifacts\/host-config\/[0-9a-f]{64}\.json$/;
/** The restores that read client-side encrypted objects, by their document name's ending. */
const SEALED_RESTORES = ["-redis-restore", "-config-restore"];

interface Encryption {
  readonly kmsKeyAlias: string;
  readonly cipherPassParameter: string;
}

/** The shipped host config's `clientSideEncryption`, or undefined when off (or not known yet). */
function shippedEncryption(view: StackView): Encryption | undefined {
  for (const { props } of view.ofKind("bucketObject")) {
    const { key, content } = props as BucketObjectProps;
    if (typeof key !== "string" || !HOST_CONFIG_KEY.test(key) || typeof content !== "string")
      continue;
    try {
      const cse = record(record(JSON.parse(content))?.clientSideEncryption);
      if (typeof cse?.kmsKeyAlias === "string" && typeof cse.cipherPassParameter === "string")
        return { kmsKeyAlias: cse.kmsKeyAlias, cipherPassParameter: cse.cipherPassParameter };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function allows(s: Statement, action: string): boolean {
  return s.effect === "Allow" && (s.actions.includes(action) || s.actions.includes("kms:*"));
}

function stringEquals(s: Statement, key: string): string | undefined {
  const value = record(s.condition.StringEquals)?.[key];
  return typeof value === "string" ? value : undefined;
}

/** What is missing from the identity policies for `cse`, one message per gap. */
function grantProblems(statements: readonly Statement[], cse: Encryption): string[] {
  const parameterTail = `:parameter/${cse.cipherPassParameter.replace(/^\/+/, "")}`;
  const problems: string[] = [];
  const reads = statements.filter((s) => allows(s, "ssm:GetParameter"));
  if (!reads.some((s) => s.resources.some((r) => r.endsWith(parameterTail))))
    problems.push(
      `no identity policy allows ssm:GetParameter on the passphrase parameter ${cse.cipherPassParameter}: pg-engine-setup cannot read it`,
    );
  for (const s of reads.filter((s) => s.resources.some((r) => r.includes("*"))))
    problems.push(
      `statement ${s.label} allows ssm:GetParameter on ${s.resources.join(", ")}: grant the passphrase parameter only`,
    );
  const viaSsm = statements.filter(
    (s) =>
      allows(s, "kms:Decrypt") &&
      /^ssm\.[a-z0-9-]+\.amazonaws\.com$/.test(stringEquals(s, "kms:ViaService") ?? "") &&
      (stringEquals(s, "kms:EncryptionContext:PARAMETER_ARN") ?? "").endsWith(parameterTail),
  );
  if (viaSsm.length === 0)
    problems.push(
      `no identity policy allows kms:Decrypt through SSM (kms:ViaService ssm.<region>.amazonaws.com) for the parameter ${cse.cipherPassParameter} only (kms:EncryptionContext:PARAMETER_ARN): the SecureString cannot be decrypted, or any parameter under the key can`,
    );
  const contextKey = `kms:EncryptionContext:${ENCRYPTION_CONTEXT_KEYS.stack}`;
  if (!statements.some((s) => allows(s, "kms:GenerateDataKey") && stringEquals(s, contextKey)))
    problems.push(
      `no identity policy allows kms:GenerateDataKey with the stack's encryption context (${contextKey}): the jobs cannot encrypt dumps and archives, or may use the key for anything`,
    );
  return problems;
}

/** Restore documents whose AllowPlaintext is missing or does not default to 'no'. */
function documentProblems(view: StackView): string[] {
  return view.ofKind("ssmDocument").flatMap(({ props }) => {
    const { content, name } = props as SsmDocumentProps;
    if (typeof name !== "string" || !SEALED_RESTORES.some((end) => name.endsWith(end))) return [];
    if (typeof content !== "string") return [];
    let parameter: Record<string, unknown> | undefined;
    try {
      parameter = record(record(record(JSON.parse(content))?.parameters)?.AllowPlaintext);
    } catch {
      return [];
    }
    return parameter?.default === "no"
      ? []
      : [
          `document ${name} ${parameter ? `defaults AllowPlaintext to ${JSON.stringify(parameter.default)}` : "has no AllowPlaintext parameter"}: a plaintext backup must be refused unless a person allows it`,
        ];
  });
}

export const clientSideEncryptionComplete = stackPolicy({
  name: "backup-client-side-encryption-complete",
  description:
    "When the host config turns client-side encryption on, the stack has what it needs and no more: " +
    "the key alias the hosts resolve, the passphrase parameter readable by the hosts and decryptable " +
    "only through SSM for that parameter, data keys only under this stack's encryption context, and " +
    "restore documents that refuse a plaintext backup by default.",
  validate: (view, args, report) => {
    const cse = shippedEncryption(view);
    if (!cse) return args.notApplicable("client-side encryption is off in the shipped host config");
    const aliases = view.ofKind("kmsAlias").map((r) => (r.props as KmsAliasProps).name);
    if (!aliases.some((name) => isUnknown(name) || name === cse.kmsKeyAlias))
      report(
        `the host config names the KMS alias ${cse.kmsKeyAlias}, but the stack creates no such alias: the hosts cannot find the backup key`,
      );
    const statements = view.ofKind("iamPolicyDocuments").flatMap(({ props }) => {
      const parsed = parsePolicyDocument((props as { policy?: unknown }).policy);
      return parsed.ok === true ? parsed.statements : [];
    });
    for (const problem of [...grantProblems(statements, cse), ...documentProblems(view)])
      report(problem);
  },
});
