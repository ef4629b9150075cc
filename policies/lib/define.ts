/**
 * The two shapes every policy of the pack takes. Both are mandatory by default; the pack config
 * (`pulumi preview --policy-pack-config`, `npm run policy -- --config`) can lower any of them.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { isKind, type AwsKind } from "./awsTypes";
import { plain, record } from "./known";
import { StackView } from "./stackView";

export const DEFAULT_ENFORCEMENT: EnforcementLevel = "mandatory";

interface PolicyInfo {
  /** Kebab-case, prefixed `backup-`. */
  readonly name: string;
  /** What is checked and why it matters for the backups. */
  readonly description: string;
  readonly configSchema?: PolicyConfigSchema;
}

export interface ResourcePolicySpec extends PolicyInfo {
  /** The kinds it applies to; `every` for a rule about any resource's inputs. */
  readonly kinds: readonly AwsKind[] | "every";
  /** Messages, one per problem; the props are plain (see known.ts). */
  readonly check: (props: Record<string, unknown>, args: ResourceValidationArgs) => string[];
}

export function resourcePolicy(spec: ResourcePolicySpec): ResourceValidationPolicy {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: DEFAULT_ENFORCEMENT,
    ...(spec.configSchema ? { configSchema: spec.configSchema } : {}),
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
      const kinds = spec.kinds;
      if (kinds !== "every" && !kinds.some((kind) => isKind(args.type, kind))) {
        args.notApplicable(`applies to ${kinds.join(", ")} only`);
      }
      for (const message of spec.check(record(plain(args.props)) ?? {}, args)) report(message);
    },
  };
}

export interface StackPolicySpec extends PolicyInfo {
  readonly validate: (view: StackView, args: StackValidationArgs, report: ReportViolation) => void;
}

export function stackPolicy(spec: StackPolicySpec): StackValidationPolicy {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: DEFAULT_ENFORCEMENT,
    ...(spec.configSchema ? { configSchema: spec.configSchema } : {}),
    validateStack: (args: StackValidationArgs, report: ReportViolation) =>
      spec.validate(new StackView(args.resources), args, report),
  };
}
