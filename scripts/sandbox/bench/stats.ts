/** Summary statistics of a benchmark's samples. Pure. */

function nonEmpty(values: readonly number[], what: string): readonly number[] {
  if (values.length === 0) throw new Error(`${what} of no samples`);
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`${what} of a non-finite sample`);
  return values;
}

export function minimum(values: readonly number[]): number {
  return Math.min(...nonEmpty(values, "minimum"));
}

export function maximum(values: readonly number[]): number {
  return Math.max(...nonEmpty(values, "maximum"));
}

/** The middle sample; for an even count, the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  const sorted = [...nonEmpty(values, "median")].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rounds to `digits` decimals, so figures in JSON do not carry timer noise. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
