import { ENCRYPTION_CONTEXT_KEYS } from "../../infra/catalog/clientSideEncryption";
import type { PolicyAttachmentProps, RoleProps } from "../lib/awsProps";
import { stackPolicy } from "../lib/define";
import { isUnknown, list, record } from "../lib/known";
import { parsePolicyDocument, type Statement } from "../lib/policyDocument";
import type { StackView } from "../lib/stackView";

/** The tag naming the host a database host's role is for (infra/components/hostAccess.ts). */
const HOST_ID_TAG = "stellar-insights:host-id";

/**
 * AWS-managed policies that allow reading every SSM parameter of the account
 * (`ssm:GetParameter(s)` on `*`): AWS Managed Policy Reference, each policy's JSON document.
 */
const READS_EVERY_PARAMETER = [
  "AmazonSSMManagedInstanceCore",
  "AmazonEC2RoleforSSM",
  "AmazonSSMReadOnlyAccess",
  "AmazonSSMFullAccess",
  "ReadOnlyAccess",
];

/** The SSM actions that return a parameter's value (AWS Service Authorization Reference, SSM). */
const PARAMETER_READS = [
  "ssm:getparameter",
  "ssm:getparameters",
  "ssm:getparametersbypath",
  "ssm:getparameterhistory",
];

const STACK_CONTEXT = `kms:encryptioncontext:${ENCRYPTION_CONTEXT_KEYS.stack}`;
const HOST_CONTEXT = `kms:encryptioncontext:${ENCRYPTION_CONTEXT_KEYS.host}`;

/** Whether IAM's `*`/`?` pattern `pattern` (an action) matches `action` (lower case). */
function matches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return re.test(action);
}

function allows(s: Statement, action: string): boolean {
  return s.effect === "Allow" && s.actions.some((a) => matches(a, action));
}

/** The values of condition key `key` (any case) under operators `operators`, or undefined. */
function conditionValues(
  s: Statement,
  key: string,
  operators: readonly string[],
): unknown[] | undefined {
  for (const [operator, operands] of Object.entries(s.condition)) {
    if (!operators.includes(operator)) continue;
    for (const [k, v] of Object.entries(record(operands) ?? {}))
      if (k.toLowerCase() === key) return [v].flat();
  }
  return undefined;
}

/** A grant used for envelopes: bound to the stack's encryption context, not through a service. */
function isEnvelopeGrant(s: Statement): boolean {
  const viaService = Object.values(s.condition).some((operands) =>
    Object.keys(record(operands) ?? {}).some((k) => k.toLowerCase() === "kms:viaservice"),
  );
  return (
    !viaService &&
    Object.values(s.condition).some((operands) =>
      Object.keys(record(operands) ?? {}).some((k) => k.toLowerCase() === STACK_CONTEXT),
    )
  );
}

/** The hosts a statement's host condition names, literally; a message when it names none so. */
function boundHosts(s: Statement, hosts: ReadonlySet<string>): string[] | string {
  const values = conditionValues(s, HOST_CONTEXT, ["StringEquals"]);
  if (values === undefined || values.length === 0)
    return `has no StringEquals condition on ${HOST_CONTEXT}`;
  const named = values.filter((v): v is string => typeof v === "string");
  const unknownHost = named.filter((v) => !hosts.has(v));
  if (named.length !== values.length || unknownHost.length > 0)
    return `binds ${HOST_CONTEXT} to ${JSON.stringify(values)}, not to hosts of the stack (${[...hosts].sort().join(", ")})`;
  return named;
}

function hostIds(view: StackView): Set<string> {
  const ids = new Set<string>();
  for (const { props } of view.ofKind("iamRole")) {
    const id = record((props as { tags?: unknown }).tags)?.[HOST_ID_TAG];
    if (typeof id === "string") ids.add(id);
  }
  return ids;
}

/** Attachments of a managed policy that reads every parameter: message and the resource's URN. */
function managedPolicyProblems(view: StackView): { message: string; urn: string }[] {
  const attached = [
    ...view.ofKind("iamPolicyAttachment").map(({ props, resource }) => ({
      arns: [(props as PolicyAttachmentProps).policyArn],
      resource,
    })),
    ...view.ofKind("iamRole").map(({ props, resource }) => ({
      arns: list((props as RoleProps).managedPolicyArns),
      resource,
    })),
  ];
  return attached.flatMap(({ arns, resource }) =>
    arns
      .filter((arn): arn is string => typeof arn === "string")
      .filter((arn) => READS_EVERY_PARAMETER.some((name) => arn.endsWith(`:policy/${name}`)))
      .map((arn) => ({
        message: `${resource.name} attaches ${arn}, which reads every SSM parameter of the account: grant the SSM agent's own actions instead (infra/content/aws/ssmAgentPolicy.ts)`,
        urn: resource.urn,
      })),
  );
}

function statementProblems(s: Statement, hosts: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const reads = PARAMETER_READS.filter((a) => allows(s, a));
  const wide = s.resources.filter((r) => r === "*" || /:parameter\/.*[*?]/.test(r));
  if (reads.length > 0 && wide.length > 0)
    problems.push(
      `statement ${s.label} allows ${reads.join(", ")} on ${wide.join(", ")}: name the host's own parameters`,
    );
  if (!isEnvelopeGrant(s)) return problems;
  if (allows(s, "kms:generatedatakey")) {
    const bound = boundHosts(s, hosts);
    if (typeof bound === "string" || bound.length !== 1)
      problems.push(
        `statement ${s.label} allows kms:GenerateDataKey for envelopes and ${typeof bound === "string" ? bound : `names ${bound.length} hosts`}: a host must seal envelopes naming itself only`,
      );
  }
  if (allows(s, "kms:decrypt")) {
    const bound = boundHosts(s, hosts);
    if (typeof bound === "string")
      problems.push(
        `statement ${s.label} allows kms:Decrypt of envelopes and ${bound}: a host must open its own envelopes and those of the hosts it restores from only`,
      );
  }
  return problems;
}

export const hostCredentialsBound = stackPolicy({
  name: "backup-host-credentials-bound",
  description:
    "A database host's credentials reach its own things only: no managed policy that reads every SSM " +
    "parameter (AmazonSSMManagedInstanceCore and its kind), no parameter read on a wildcard, and " +
    "envelope data keys only with the host's own id in the encryption context (decrypt: its own and " +
    "its restore sources'), so one host can neither read nor forge another host's backups.",
  validate: (view, _args, report) => {
    const hosts = hostIds(view);
    for (const { message, urn } of managedPolicyProblems(view)) report(message, urn);
    for (const { props, resource } of view.ofKind("iamPolicyDocuments")) {
      const policy = (props as { policy?: unknown }).policy;
      if (isUnknown(policy)) continue;
      const parsed = parsePolicyDocument(policy);
      if (parsed.ok !== true) continue;
      for (const s of parsed.statements)
        for (const problem of statementProblems(s, hosts)) report(problem, resource.urn);
    }
  },
});
