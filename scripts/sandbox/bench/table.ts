/** The figures as a fixed-width table for the terminal. Pure. */
import { verdictOf, type BenchGroup, type Goal, type Unit } from "./figures";

export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case "s":
      return `${value.toFixed(2)} s`;
    case "ms":
      return `${Math.round(value)} ms`;
    case "MB":
      return `${value.toFixed(1)} MB`;
    case "MB/s":
      return `${value.toFixed(1)} MB/s`;
    case "ratio":
      return value.toFixed(2);
    case "%":
      return `${value.toFixed(3)} %`;
    case "bytes":
      return `${(value / 1e6).toFixed(1)} MB`;
    default: {
      const unreachable: never = unit;
      return unreachable;
    }
  }
}

/** Whole megabytes (10^6 bytes), for the sizes titles and notes name: `62 MB`. */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

function formatGoal(goal: Goal | undefined): string {
  return goal === undefined ? "-" : `<= ${formatValue(goal.atMost, goal.unit)}`;
}

const HEADER = ["group", "figure", "value", "goal", "result"] as const;

export function formatTable(groups: readonly BenchGroup[]): string {
  const rows: string[][] = groups.flatMap((g) =>
    g.figures.map((f) => [
      g.group,
      f.title,
      f.status === "blocked" ? "blocked" : formatValue(f.value, f.unit),
      formatGoal(f.goal),
      verdictOf(f),
    ]),
  );
  const all = [[...HEADER], ...rows];
  const widths = HEADER.map((_, col) => Math.max(...all.map((r) => r[col].length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, col) => cell.padEnd(widths[col]))
      .join("  ")
      .trimEnd();
  return [line(all[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/**
 * One line per blocked figure of `groups`, `<group>: <title>: <reason>`, for under the table (which
 * shows only "blocked"); empty when every figure was measured.
 */
export function formatBlockedReasons(groups: readonly BenchGroup[]): string {
  return groups
    .flatMap((g) =>
      g.figures.flatMap((f) =>
        f.status === "blocked" ? [`${g.group}: ${f.title}: ${f.reason}`] : [],
      ),
    )
    .join("\n");
}
