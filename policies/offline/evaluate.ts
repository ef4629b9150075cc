/**
 * Runs policies over an offline plan the way the policy pack runs them under the Pulumi CLI: every
 * resource policy on every resource, every stack policy on the whole stack, each at the enforcement
 * level the pack config gives it.
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyPackConfig,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { Plan } from "../../infra/synth/plan";
import { DEFAULT_ENFORCEMENT } from "../lib/define";
import { PolicyConfigError } from "../lib/policyConfigError";
import { BACKUP_POLICIES } from "../policies";
import { enforcementLevel, policyProperties } from "./packConfig";
import { planPolicyResources } from "./planResources";

export interface Violation {
  readonly policy: string;
  readonly level: EnforcementLevel;
  /** The resource at fault; undefined when the stack as a whole is. */
  readonly urn?: string;
  /** Its name, or `(stack)`. */
  readonly resource: string;
  readonly message: string;
}

export interface Evaluation {
  /** Names of the policies that ran (not disabled). */
  readonly policiesRun: readonly string[];
  /** Resources of the plan (the synthesized root stack resource not counted). */
  readonly resourcesChecked: number;
  readonly violations: readonly Violation[];
  /** Each distinct (policy, reason) for which a policy declared itself not applicable. */
  readonly notApplicable: readonly { readonly policy: string; readonly reason: string }[];
}

export interface EvaluateOptions {
  /** Pulumi project name, for the URNs (`Pulumi.yaml` `name`). */
  readonly project: string;
  readonly config?: PolicyPackConfig;
  readonly policies?: Policies;
}

class NotApplicable extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function notApplicable(reason?: string): never {
  throw new NotApplicable(reason ?? "not applicable");
}

function isStackPolicy(policy: Policies[number]): policy is StackValidationPolicy {
  return "validateStack" in policy && typeof policy.validateStack === "function";
}

export async function evaluatePlan(plan: Plan, options: EvaluateOptions): Promise<Evaluation> {
  const config = options.config ?? {};
  const policies = options.policies ?? BACKUP_POLICIES;
  const resources = planPolicyResources(plan, options.project);
  const names = new Map(resources.map((r) => [r.urn, r.name]));
  const violations: Violation[] = [];
  const skipped: { policy: string; reason: string }[] = [];
  const policiesRun: string[] = [];

  for (const policy of policies) {
    let level = enforcementLevel(
      config,
      policy.name,
      policy.enforcementLevel ?? DEFAULT_ENFORCEMENT,
    );
    if (level === "disabled") continue;
    // Nothing is remediated offline; the Pulumi CLI also reports a remaining violation as mandatory.
    if (level === "remediate") level = "mandatory";
    policiesRun.push(policy.name);
    const getConfig = <T extends object>() => policyProperties(config, policy.name) as T;
    const report = (urn: string | undefined) => (message: string, reportedUrn?: string) => {
      const at = urn ?? reportedUrn;
      violations.push({
        policy: policy.name,
        level,
        urn: at,
        resource: at ? (names.get(at) ?? at) : "(stack)",
        message,
      });
    };
    const run = async (validate: () => Promise<void> | void) => {
      try {
        await validate();
      } catch (error) {
        if (error instanceof NotApplicable) {
          if (!skipped.some((s) => s.policy === policy.name && s.reason === error.reason)) {
            skipped.push({ policy: policy.name, reason: error.reason });
          }
        } else if (error instanceof PolicyConfigError) {
          // Its properties in the pack config are wrong, not the policy: the same error, named.
          throw new PolicyConfigError(`policy '${policy.name}': ${error.message}`);
        } else
          throw new Error(`policy '${policy.name}' failed: ${(error as Error).message}`, {
            cause: error,
          });
      }
    };

    if (isStackPolicy(policy)) {
      const args: StackValidationArgs = {
        resources,
        stackTags: new Map(),
        getConfig,
        notApplicable,
      };
      await run(() => policy.validateStack(args, report(undefined)));
      continue;
    }
    const validations = [(policy as ResourceValidationPolicy).validateResource ?? []].flat();
    for (const resource of resources) {
      for (const validate of validations) {
        await run(() => validate(resourceArgs(resource, getConfig), report(resource.urn)));
      }
    }
  }
  return {
    policiesRun,
    resourcesChecked: plan.resources.length,
    violations,
    notApplicable: skipped,
  };
}

function resourceArgs(
  resource: PolicyResource,
  getConfig: <T extends object>() => T,
): ResourceValidationArgs {
  return {
    type: resource.type,
    props: resource.props,
    urn: resource.urn,
    name: resource.name,
    opts: resource.opts,
    stackTags: new Map(),
    isType: resource.isType,
    asType: (resourceClass) =>
      resource.isType(resourceClass) ? (resource.props as never) : undefined,
    getConfig,
    notApplicable,
  };
}

export function hasMandatoryViolation(evaluation: Evaluation): boolean {
  return evaluation.violations.some((v) => v.level === "mandatory");
}
