/**
 * S3 lifecycle rules, read from bucket lifecycle configurations, and what they mean for the objects
 * under one prefix. When several enabled rules apply to an object, the earliest expiration wins, so
 * every rule that reaches any object under a prefix counts, not only the one written for it.
 */
import type {
  BucketLifecycleProps,
  LifecycleExpirationProps,
  LifecycleFilterAndProps,
  LifecycleFilterProps,
  LifecycleRuleProps,
} from "./awsProps";
import { isUnknown, list, record, UNKNOWN, type Field } from "./known";
import type { ViewResource } from "./stackView";

export interface LifecycleRuleView {
  /** The rule's `id`, or its position. */
  readonly label: string;
  readonly configuration: ViewResource;
  readonly enabled: Field<boolean>;
  /** Which keys it applies to: a prefix, possibly narrowed further by tags or object size. */
  readonly scope: Field<{ readonly prefix: string; readonly narrowed: boolean }>;
  readonly expiration: Field<{ readonly days?: number; readonly date?: string }>;
}

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false;
  if (typeof value === "number") return value > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.values(value).some(isSet);
  return true;
}

function prefixOf(...candidates: unknown[]): Field<string> {
  for (const candidate of candidates) {
    if (isUnknown(candidate)) return UNKNOWN;
    if (typeof candidate === "string" && candidate !== "") return candidate;
  }
  return "";
}

function scopeOf(rule: LifecycleRuleProps): LifecycleRuleView["scope"] {
  if (isUnknown(rule.filter) || isUnknown(rule.prefix)) return UNKNOWN;
  const filter = record(rule.filter) as LifecycleFilterProps | undefined;
  const and = record(filter?.and) as LifecycleFilterAndProps | undefined;
  const narrowing = [
    filter?.tag,
    filter?.objectSizeGreaterThan,
    filter?.objectSizeLessThan,
    and?.tags,
    and?.objectSizeGreaterThan,
    and?.objectSizeLessThan,
  ];
  if (narrowing.some(isUnknown)) return UNKNOWN;
  const prefix = prefixOf(filter?.prefix, and?.prefix, rule.prefix);
  if (isUnknown(prefix)) return UNKNOWN;
  return { prefix, narrowed: narrowing.some(isSet) };
}

function expirationOf(rule: LifecycleRuleProps): LifecycleRuleView["expiration"] {
  if (isUnknown(rule.expiration)) return UNKNOWN;
  const expiration = record(rule.expiration) as LifecycleExpirationProps | undefined;
  if (isUnknown(expiration?.days) || isUnknown(expiration?.date)) return UNKNOWN;
  const days =
    typeof expiration?.days === "number" && expiration.days > 0 ? expiration.days : undefined;
  const date =
    typeof expiration?.date === "string" && expiration.date !== "" ? expiration.date : undefined;
  return { days, date };
}

export function lifecycleRules(
  configurations: readonly ViewResource[],
): Field<LifecycleRuleView[]> {
  const rules: LifecycleRuleView[] = [];
  for (const configuration of configurations) {
    const raw = (configuration.props as BucketLifecycleProps).rules;
    if (isUnknown(raw)) return UNKNOWN;
    for (const [index, entry] of list(raw).entries()) {
      const rule = (record(entry) ?? {}) as LifecycleRuleProps;
      rules.push({
        label: typeof rule.id === "string" && rule.id !== "" ? `'${rule.id}'` : `#${index + 1}`,
        configuration,
        enabled: isUnknown(rule.status) ? UNKNOWN : rule.status === "Enabled",
        scope: scopeOf(rule),
        expiration: expirationOf(rule),
      });
    }
  }
  return rules;
}

function days(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}

export interface RetentionRequirement {
  /** The S3 prefix whose objects must be kept. */
  readonly prefix: string;
  readonly minimumDays: number;
  /** True when expiring exactly at `minimumDays` is already too early. */
  readonly strictlyLonger: boolean;
  /** Why, for the message: "catalog row 'configs' keeps 90 days". */
  readonly reason: string;
  /**
   * How to allow a rule that expires after `days` deliberately (the policy config entry), appended
   * to a too-early message; none when there is no such way.
   */
  readonly allowDeliberately?: (days: number) => string;
}

export interface RetentionProblem {
  readonly message: string;
  /** The lifecycle configuration at fault, when one is. */
  readonly configuration?: ViewResource;
}

/**
 * Problems with how `rules` keep the objects under `requirement.prefix`: no enabled rule that expires
 * all of them, or any enabled rule that expires some of them too early (or on a fixed date). Rules
 * whose relevant fields are unknown during preview are skipped.
 */
export function retentionProblems(
  rules: readonly LifecycleRuleView[],
  requirement: RetentionRequirement,
): RetentionProblem[] {
  const { prefix, minimumDays, strictlyLonger, reason } = requirement;
  const problems: RetentionProblem[] = [];
  let covered = false;
  let undetermined = false;
  for (const rule of rules) {
    if (isUnknown(rule.enabled) || isUnknown(rule.scope) || isUnknown(rule.expiration)) {
      undetermined = true;
      continue;
    }
    if (!rule.enabled) continue;
    const { scope, expiration } = rule;
    const reachesPrefix = prefix.startsWith(scope.prefix) || scope.prefix.startsWith(prefix);
    if (!reachesPrefix) continue;
    const where = scope.prefix === "" ? "the whole bucket" : `'${scope.prefix}'`;
    if (expiration.date !== undefined) {
      problems.push({
        message: `lifecycle rule ${rule.label} expires objects under ${where} on a fixed date (${expiration.date}); ${reason}`,
        configuration: rule.configuration,
      });
    }
    if (expiration.days === undefined) continue;
    if (!scope.narrowed && prefix.startsWith(scope.prefix)) covered = true;
    const tooEarly = strictlyLonger
      ? expiration.days <= minimumDays
      : expiration.days < minimumDays;
    if (tooEarly) {
      const bound = strictlyLonger ? `more than ${minimumDays}` : `at least ${minimumDays}`;
      problems.push({
        message:
          `lifecycle rule ${rule.label} expires objects under ${where} after ${days(expiration.days)}, but '${prefix}' needs ${bound}: ${reason}` +
          (requirement.allowDeliberately
            ? `; ${requirement.allowDeliberately(expiration.days)}`
            : ""),
        configuration: rule.configuration,
      });
    }
  }
  if (!covered && !undetermined) {
    problems.push({
      message: `no enabled lifecycle rule expires everything under '${prefix}' (${reason})`,
    });
  }
  return problems;
}
