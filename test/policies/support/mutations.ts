/**
 * Every policy fails on a plan broken in the one way it guards against, and nothing else fails.
 * Each case starts from the complete prod plan (which passes every
 * policy, see realPlan.test.ts), breaks one property or removes one resource, and lists exactly the
 * policies that must then report.
 *
 * Each policy rule's cases live in that rule's test file (test/policies/rules/<rule>.test.ts, beside
 * the mirror of policies/rules/<rule>.ts); this module holds what they share: the resource types,
 * the plan lookups the mutations use, and the one way a list of cases is run.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { parseInsightsQuery, type InsightsQuery } from "../../../infra/catalog";
import {
  prodPlanCopy,
  editJson,
  synthProdPlan,
  evaluate,
  onBucket,
  violatedPolicies,
  type MutablePlan,
  type MutableResource,
} from "../fixtures/plans";

export const T = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  iamPolicy: "aws:iam/policy:Policy",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  encryption:
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  logging: "aws:s3/bucketLogging:BucketLogging",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  schedule: "aws:scheduler/schedule:Schedule",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  document: "aws:ssm/document:Document",
  dlm: "aws:dlm/lifecyclePolicy:LifecyclePolicy",
  ssmParameter: "aws:ssm/parameter:Parameter",
  objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
} as const;

export const BACKUPS = "backups";
export const ACCESS_LOGS = "access-logs";
export const REPLICA = "replica";

export function all(
  plan: MutablePlan,
  type: string,
  predicate: (r: MutableResource) => boolean = () => true,
): MutableResource[] {
  const found = plan.resources.filter((r) => r.type === type && predicate(r));
  if (found.length === 0) throw new Error(`no ${type} in the plan`);
  return found;
}
export const first = (plan: MutablePlan, type: string) => all(plan, type)[0];
export function named(plan: MutablePlan, name: string): MutableResource {
  const found = plan.resources.find((r) => r.name === name);
  if (!found) throw new Error(`no resource '${name}' in the plan`);
  return found;
}

export function addStatement(resource: MutableResource, statement: Record<string, unknown>): void {
  editJson(resource, "policy", (doc) => doc.Statement.push(statement));
}

/** A lifecycle rule as the plan holds it: JSON the mutations edit in place. */
export interface LifecycleRuleJson {
  filter?: { prefix?: string };
  expiration: { days: number };
  status?: string;
}

export function lifecycleRule(plan: MutablePlan, prefix: string): LifecycleRuleJson {
  const rules = onBucket(plan, T.lifecycle, BACKUPS).inputs.rules as LifecycleRuleJson[];
  const rule = rules.find((r) => r.filter?.prefix === prefix);
  if (!rule) throw new Error(`no lifecycle rule on '${prefix}'`);
  return rule;
}

/** Drops the bucket's lifecycle rule for `prefix`. */
export function removeLifecycleRule(plan: MutablePlan, prefix: string): void {
  const lifecycle = onBucket(plan, T.lifecycle, BACKUPS);
  lifecycle.inputs.rules = lifecycle.inputs.rules.filter(
    (r: LifecycleRuleJson) => r.filter?.prefix !== prefix,
  );
}

export function addLifecycleRule(plan: MutablePlan, prefix: string, days: number): void {
  onBucket(plan, T.lifecycle, BACKUPS).inputs.rules.push({
    id: "added",
    status: "Enabled",
    filter: { prefix },
    expiration: { days },
  });
}

/** The Metrics Insights query of a per-host alarm (its one `metricQueries` entry), parsed. */
export function perHostQuery(alarm: MutableResource): InsightsQuery | undefined {
  const expression = alarm.inputs.metricQueries?.[0]?.expression;
  return typeof expression === "string" ? parseInsightsQuery(expression) : undefined;
}

export function alarmsOn(
  plan: MutablePlan,
  metrics: readonly string[],
  dimension: string,
  value: string,
): MutableResource[] {
  return all(plan, T.alarm, (a) => {
    // A per-host query, or one series (a host's liveness) named directly.
    const q = perHostQuery(a) ?? { metricName: a.inputs.metricName, where: a.inputs.dimensions };
    return metrics.includes(q.metricName) && q.where?.[dimension] === value;
  });
}

export interface Case {
  readonly title: string;
  /** Policies that must report, exactly; empty for changes that must stay compliant. */
  readonly fails: readonly string[];
  /** Text one of the violations must contain. */
  readonly says?: string;
  readonly mutate: (plan: MutablePlan) => void;
}

/**
 * Runs each case on its own copy of the prod plan: exactly the policies in `fails` report, and
 * one violation contains `says`. A rule's test file exports its `cases` and passes them here.
 */
export function describeMutations(cases: readonly Case[]): void {
  describe("each mutation of the prod plan fails exactly its policies", () => {
    // Each rule file is its own process and synthesizes the plan once: in the hook, whose timeout
    // allows for it, not in the first case.
    beforeAll(() => synthProdPlan());
    test.each(cases)("$title", async ({ fails, says, mutate }) => {
      const plan = await prodPlanCopy();
      mutate(plan);
      const evaluation = await evaluate(plan);
      expect(violatedPolicies(evaluation)).toEqual([...fails].sort());
      if (says !== undefined) {
        expect(evaluation.violations.map((v) => v.message).join("\n")).toContain(says);
      }
    });
  });
}
