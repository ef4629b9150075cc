/**
 * Job parameters arrive as environment variables (the SSM documents pass them that way, never
 * spliced into a script). Each is checked as its declaration says (infra/catalog/jobParameters.ts)
 * or, for values only the host can judge, against the job's own pattern; every problem is reported
 * at once, before anything is touched. A refused value is quoted through `showValue`: a zero-width
 * space or a look-alike letter pasted at 3 AM shows as its code point instead of reading as the
 * right value.
 */
import { CONFIRM_VALUE } from "../../../infra/catalog/documents";
import { HOST_ID_PATTERN } from "../../../infra/catalog/hostConfig";
import { showValue } from "../../../infra/catalog/schema/shownValue";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import {
  orList,
  type CheckedParameter,
  type ChoiceParameter,
  type ConfirmParameter,
  type FlagParameter,
  type IntegerParameter,
} from "../../../infra/catalog/jobParameters";
import { UsageError } from "./errors";
import type { RestoreSource } from "./restoreSource";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export class Params {
  private readonly problems: string[] = [];
  /** Every parameter asked for, by its variable's name. */
  private readonly asked = new Set<string>();

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private raw(name: string): string | undefined {
    this.asked.add(name);
    const value = this.env[name];
    return value === undefined || value === "" ? undefined : value;
  }

  /** An optional value matching `pattern`; `fallback` when unset. */
  text(name: string, pattern: RegExp, allowed: string, fallback?: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!pattern.test(value)) {
      this.problems.push(`${name}=${showValue(value)} is not allowed: expected ${allowed}`);
      return fallback;
    }
    return value;
  }

  required(name: string, pattern: RegExp, allowed: string): string {
    if (this.raw(name) === undefined) {
      this.problems.push(`${name} is required: expected ${allowed}`);
      return "";
    }
    return this.text(name, pattern, allowed) ?? "";
  }

  /** A `yes`/`no` parameter; its declared default when unset. */
  flag(p: FlagParameter): boolean {
    return this.yesNo(p.env, p.default === "yes");
  }

  /** One of the declared words; the declared default when unset or refused. */
  choice<T extends string>(p: ChoiceParameter<T>): T {
    const pattern = new RegExp(`^(${p.values.map(escapeRegExp).join("|")})$`);
    return (this.text(p.env, pattern, orList(p.values), p.default) ?? p.default) as T;
  }

  /** A whole number in the declared range; the declared default when unset or refused. */
  integer(p: IntegerParameter): number {
    return this.wholeNumber(p.env, p.min, p.max, p.default);
  }

  /**
   * True only for exactly `CONFIRM_VALUE`. Any other non-empty value is an error rather than a
   * silent dry run, so a typo ("yes") is noticed.
   */
  confirmed(p: ConfirmParameter): boolean {
    const name = p.env;
    const value = this.raw(name);
    if (value === undefined) return false;
    if (value !== CONFIRM_VALUE) {
      this.problems.push(
        `${name}=${showValue(value)} is not the confirmation: set ${name}=${CONFIRM_VALUE} to act, or leave it unset for a dry run`,
      );
    }
    return value === CONFIRM_VALUE;
  }

  /**
   * The bucket a restore reads, `primary` (default) or `replica`; the replica only when the host
   * config names one (stack config `replication`).
   */
  source(p: ChoiceParameter<RestoreSource>, config: HostConfig): RestoreSource {
    const source = this.choice(p);
    if (source === "replica" && config.replica === undefined) {
      this.problems.push(
        `${p.env}=replica: this host config names no replica bucket (the stack's \`replication\` option is off); use ${p.env}=primary`,
      );
      return "primary";
    }
    return source;
  }

  /** Whose backups a restore reads: a host id; this host's own when unset. */
  sourceHost(p: CheckedParameter, thisHost: string): string {
    return (
      this.text(p.env, HOST_ID_PATTERN, "a host id (letters, digits, '.', '_', '-')", thisHost) ??
      thisHost
    );
  }

  /** A whole number from `min` to `max`; `fallback` when unset or refused. */
  wholeNumber(name: string, min: number, max: number, fallback: number): number {
    const value = this.text(name, /^\d+$/, `a whole number from ${min} to ${max}`);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (n < min || n > max) {
      this.problems.push(
        `${name}=${value} is out of range: expected a whole number from ${min} to ${max}`,
      );
      return fallback;
    }
    return n;
  }

  /** `yes` or `no`; `fallback` when unset. */
  yesNo(name: string, fallback: boolean): boolean {
    const value = this.text(name, /^(yes|no)$/, "yes or no");
    return value === undefined ? fallback : value === "yes";
  }

  /** Comma-separated choices from `allowed`; all of them when unset. */
  list<T extends string>(name: string, allowed: readonly T[]): T[] {
    const value = this.raw(name);
    if (value === undefined) return [...allowed];
    const items = value.split(",").map((s) => s.trim());
    const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
    if (bad.length > 0 || items.length === 0) {
      this.problems.push(
        `${name}=${showValue(value)} is not allowed: expected a comma-separated list of ${allowed.join(", ")}`,
      );
      return [...allowed];
    }
    return [...new Set(items as T[])];
  }

  /** A problem that spans parameters (`TARGET=time` without `TARGET_TIME`), reported with the rest. */
  problem(text: string): void {
    this.problems.push(text);
  }

  /**
   * Throws one `UsageError` listing every problem found so far, and every variable that is a
   * parameter's name in other letter case (`From=standby` for `FROM`): environment variables are
   * case-sensitive, so it would be ignored and the run would quietly take the default.
   */
  check(): void {
    for (const key of Object.keys(this.env)) {
      const name = key.toUpperCase();
      if (key !== name && this.asked.has(name))
        this.problems.push(`${key} is not a parameter: parameter names are upper case (${name})`);
    }
    if (this.problems.length > 0) {
      throw new UsageError(
        `bad parameters: ${this.problems.join("; ")}`,
        "nothing was changed; fix the parameters and run again",
      );
    }
  }
}
