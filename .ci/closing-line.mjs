/* global process, console */
// The CI run's closing line, from vitest's JSON report: counts, and why tests were skipped.
// A skipped engine half carries its reason in its describe block's name (`[wal-g] backup … —
// skipped: <reason>`, test/engine/support.ts), so the line says which engine and why, from the
// report itself, never from a fixed text. Plain JavaScript: .ci/run runs it with bare node.

const SKIPPED = /^\[([^\]]+)\] .* — skipped: (.+)$/;

/**
 * @param {{ numPassedTests: number, numFailedTests: number, numPendingTests: number,
 *   numTodoTests: number, testResults: { assertionResults: { status: string,
 *   ancestorTitles: string[] }[] }[] }} report vitest's JSON report
 * @returns {string} e.g. `659 passed, 0 failed, 24 skipped (wal-g: <reason>)`
 */
export function closingLine(report) {
  const skipped = report.numPendingTests + report.numTodoTests;
  const reasons = new Map();
  let unexplained = 0;
  for (const file of report.testResults)
    for (const test of file.assertionResults) {
      if (test.status !== "pending" && test.status !== "skipped" && test.status !== "todo")
        continue;
      const match = test.ancestorTitles.map((t) => SKIPPED.exec(t)).find(Boolean);
      if (!match) {
        unexplained += 1;
        continue;
      }
      const why = `${match[1]}: ${match[2]}`;
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
    }
  const parts = [...reasons].map(([why, n]) =>
    reasons.size > 1 || unexplained ? `${n} ${why}` : why,
  );
  if (unexplained && reasons.size) parts.push(`${unexplained} without a reason in their name`);
  const detail = parts.length ? ` (${parts.join("; ")})` : "";
  return `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped${detail}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { readFileSync } = await import("node:fs");
  const path = process.argv[2] ?? "out/test-results/vitest.json";
  console.log(closingLine(JSON.parse(readFileSync(path, "utf8"))));
}
