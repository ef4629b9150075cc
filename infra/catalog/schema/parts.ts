/**
 * Building blocks for the project's config schemas (host config file, stack config, policy pack
 * config), on valibot (https://valibot.dev). Every block carries the message the on-call engineer
 * reads, so a schema reads as the contract and `schemaProblems` only adds the JSON path.
 *
 * Why valibot and not zod 4: the host jobs bundle the catalog, and the health check runs every
 * 5 minutes with a peak-RSS goal of 60 MB. The same schema bundles smaller and peaks lower with
 * valibot than with either of zod's packages (figures and how they were taken:
 * docs/benchmarks.md, "Figures behind choices in the code").
 *
 * Pure module: no Pulumi import, so host jobs can bundle it.
 */
import * as v from "valibot";
import { showValue } from "./shownValue";

/** How a value reads in a message: text and numbers as `showValue` shows them, containers by kind. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : showValue(value);
}

type Entries = v.ObjectEntries;

/** What `exactObject` yields: the input and output types of a plain object schema. */
export type ExactObject<E extends Entries> = v.GenericSchema<
  v.InferInput<v.ObjectSchema<E, undefined>>,
  v.InferOutput<v.ObjectSchema<E, undefined>>
>;

/**
 * The entries' names, required ones first, each group in declaration order (as messages list them).
 * An optional `never` entry is a name that exists only to be refused with a hint of its own.
 */
export function allowedKeys(entries: Entries): string[] {
  const kind = (key: string): "required" | "optional" | "refused" => {
    const schema = entries[key] as v.GenericSchema & { readonly wrapped?: v.GenericSchema };
    if (!["optional", "exact_optional"].includes(schema.type)) return "required";
    return schema.wrapped?.type === "never" ? "refused" : "optional";
  };
  const keys = Object.keys(entries);
  return [
    ...keys.filter((k) => kind(k) === "required"),
    ...keys.filter((k) => kind(k) === "optional"),
  ];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The "is a JSON object, not a list" step every object here starts with. A JSON-schema conversion
 * recognises it by its `check` (`isPlainObject`): it is `"type": "object"` there.
 */
export const plainObjectStep = (message: v.ErrorMessage<v.CustomIssue>) =>
  v.custom<Record<string, unknown>>(isPlainObject, message);

export interface ObjectMessages {
  /** For a value that is not an object; default `must be an object, got <what>`. */
  readonly notObject?: string;
  /** For each unknown field; default `is not a known field; allowed: <names>`. */
  readonly unknownField?: string;
  /**
   * What a missing field must be, by field ("must be one of A, B"): its problem then says
   * `is missing: it <rule>` instead of only `is missing`.
   */
  readonly missing?: Readonly<Record<string, string>>;
}

/**
 * An object with exactly these fields: each missing field and each unknown field is its own problem
 * (valibot's `strictObject` stops at the first unknown one, and its objects accept lists). Typed as
 * the plain object it yields once valid; `rest: never` is what makes unknown fields errors.
 */
export function exactObject<const E extends Entries>(
  entries: E,
  messages: ObjectMessages = {},
): ExactObject<E> {
  const unknownField =
    messages.unknownField ?? `is not a known field; allowed: ${allowedKeys(entries).join(", ")}`;
  return v.pipe(
    plainObjectStep(
      (issue) => messages.notObject ?? `must be an object, got ${describe(issue.input)}`,
    ),
    // A missing field is the object's own issue, with the field's path.
    v.objectWithRest(entries, v.never(unknownField), (issue) => {
      const key = issue.path?.at(-1)?.key;
      const rule = typeof key === "string" ? messages.missing?.[key] : undefined;
      return rule === undefined ? "is missing" : `is missing: it ${rule}`;
    }),
  ) as unknown as ExactObject<E>;
}

/** An object whose keys the caller names (config sets): keys and values both checked. */
export function keyedMap<K extends v.GenericSchema<string, string>, S extends v.GenericSchema>(
  key: K,
  item: S,
  notObject?: string,
) {
  return v.pipe(
    plainObjectStep((issue) => notObject ?? `must be an object, got ${describe(issue.input)}`),
    v.record(key, item),
  );
}

/** A fixed set of row keys, each with the same kind of value (retention days per catalog row). */
export function rowMap<const K extends string, S extends v.GenericSchema>(
  keys: readonly K[],
  item: S,
): v.GenericSchema<{ [P in K]: v.InferInput<S> }, { [P in K]: v.InferOutput<S> }> {
  return exactObject(Object.fromEntries(keys.map((key) => [key, item])) as Record<K, S>);
}

/**
 * A non-empty string matching `pattern`; the message is `"<value>" <hint>`. An empty string gets
 * only "must be a non-empty string": the pattern step repeats that message, and `schemaProblems`
 * reports a (path, message) once.
 */
export function text(pattern?: RegExp, hint?: string) {
  const notText = (issue: v.BaseIssue<unknown>) =>
    `must be a non-empty string, got ${describe(issue.input)}`;
  const nonEmpty = v.pipe(v.string(notText), v.minLength(1, notText));
  if (!pattern) return nonEmpty;
  return v.pipe(
    nonEmpty,
    v.regex(pattern, (issue) =>
      issue.input === ""
        ? notText(issue)
        : `${showValue(issue.input)} ${hint ?? `must match ${pattern}`}`,
    ),
  );
}

/**
 * A whole number in [min, max], one message for every way to miss it (valibot runs every step of a
 * pipe, so 1.5 against [2, 9] fails two steps; `schemaProblems` reports the message once).
 */
export function wholeNumber(min: number, max: number, message?: string) {
  const say =
    message ??
    ((issue: v.BaseIssue<unknown>) =>
      `must be a whole number from ${min} to ${max}, got ${describe(issue.input)}`);
  return v.pipe(v.number(say), v.integer(say), v.minValue(min, say), v.maxValue(max, say));
}

/** The most days anything is kept: a century (also DLM's limit for age-based retention). */
export const MAX_DAYS = 36500;

/** Retention in days: at least one day, at most a century. */
export const days = () => wholeNumber(1, MAX_DAYS);

export const flag = () =>
  v.boolean((issue) => `must be true or false, got ${describe(issue.input)}`);

/** A list of `item`; empty only when `allowEmpty`. */
export function list<S extends v.GenericSchema>(item: S, allowEmpty = false) {
  const array = v.array(item, (issue) => `must be a list, got ${describe(issue.input)}`);
  return allowEmpty ? v.pipe(array) : v.pipe(array, v.minLength(1, "must not be empty"));
}

/** Rejects `..` segments: paths end up in argv and S3 keys. */
export const noParentSegments = () =>
  v.check<string, (issue: v.BaseIssue<string>) => string>(
    (value) => !value.split("/").includes(".."),
    (issue) => `${showValue(issue.input)} must not contain '..'`,
  );
