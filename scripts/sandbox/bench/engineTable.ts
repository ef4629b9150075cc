/**
 * The engines side by side: one row per figure and data size, one column per engine, then the
 * goal and the verdict of the engine that holds it (this project's). Engines that did not run
 * are listed under the table with their reason. Pure.
 */
import { verdictOf, type BenchGroup, type Figure, type Goal } from "./figures";
import { formatValue } from "./table";

function rowKey(figure: Figure): string | undefined {
  const s = figure.series;
  return s && s.figure !== "skipped" ? `${s.figure}@${s.scale ?? ""}` : undefined;
}

/** The title without the engine: every engine's figure of a row shares it. */
export function formatEngineTable(group: BenchGroup): string {
  const engines: string[] = [];
  for (const f of group.figures) {
    const engine = f.series?.engine;
    if (engine && engine !== "data" && !engines.includes(engine)) engines.push(engine);
  }
  const rows = new Map<string, Figure[]>();
  for (const f of group.figures) {
    const key = rowKey(f);
    if (key) rows.set(key, [...(rows.get(key) ?? []), f]);
  }
  const skipped = group.figures.filter((f) => f.series?.figure === "skipped");
  const skippedEngines = new Set(skipped.map((f) => f.series!.engine));
  const header = ["figure", ...engines, "goal", "result"];
  const body: string[][] = [...rows.values()].map((figures) => {
    const cell = (engine: string) => {
      const f = figures.find((x) => x.series?.engine === engine);
      if (!f) return skippedEngines.has(engine) ? "skipped" : "-";
      return f.status === "blocked" ? "blocked" : formatValue(f.value, f.unit);
    };
    const withGoal = figures.find((f) => f.goal !== undefined);
    const goal: Goal | undefined = withGoal?.goal;
    const dataCell = figures.find((f) => f.series?.engine === "data");
    const cells = dataCell
      ? engines.map(() =>
          dataCell.status === "measured" ? formatValue(dataCell.value, dataCell.unit) : "-",
        )
      : engines.map(cell);
    return [
      figures[0].title,
      ...cells,
      goal ? `<= ${formatValue(goal.atMost, goal.unit)}` : "-",
      withGoal ? verdictOf(withGoal) : "info",
    ];
  });
  const all = [header, ...body];
  const widths = header.map((_, col) => Math.max(...all.map((r) => r[col].length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, col) => c.padEnd(widths[col]))
      .join("  ")
      .trimEnd();
  const reasons = [...new Map(skipped.map((f) => [f.series!.engine, f])).values()].map((f) =>
    f.status === "blocked" ? `${f.series!.engine} skipped: ${f.reason}` : "",
  );
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line), ...reasons]
    .join("\n")
    .trimEnd();
}
