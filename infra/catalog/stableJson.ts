/**
 * JSON with object keys sorted at every level, so generated documents diff only when behaviour
 * changes. Array order is kept: it is meaningful (statements, rules) and chosen by the caller.
 */
export function stableJson(value: unknown, indent = 2): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
