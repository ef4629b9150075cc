/**
 * Values the policies read may be unknown during `pulumi preview` (an output of a resource that
 * does not exist yet). @pulumi/policy throws `UnknownValueError` on reading one, which would abort a
 * whole stack policy over one field. `plain()` copies props into plain data with `UNKNOWN` in those
 * places, so each check decides what an unknown value means (usually: cannot judge yet; the stack
 * policies run again on the real outputs at the end of `pulumi up`).
 */
import { UnknownValueError } from "@pulumi/policy";

export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

/** A value read from props: itself, or `UNKNOWN` during preview. */
export type Field<T> = T | Unknown;

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

function read(source: object, key: string): unknown {
  try {
    return (source as Record<string, unknown>)[key];
  } catch (error) {
    if (error instanceof UnknownValueError) return UNKNOWN;
    throw error;
  }
}

/** Deep copy of (possibly proxied) props with every unknown value replaced by `UNKNOWN`. */
export function plain(value: unknown): unknown {
  if (Array.isArray(value)) {
    return Array.from({ length: value.length }, (_, i) => plain(read(value, String(i))));
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).map((key) => [key, plain(read(value, key))]));
  }
  return value;
}

/** A non-empty string, or `UNKNOWN`; anything else (absent, empty, wrong type) is `undefined`. */
export function text(value: unknown): Field<string> | undefined {
  if (isUnknown(value)) return UNKNOWN;
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

export function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
