/** `.ci/run`'s closing line: counts and the reasons for skipped tests, read from the report. */
import { expect, test } from "vitest";
// @ts-expect-error plain JavaScript module without type declarations (.ci/run runs it with node)
import { closingLine } from "../../.ci/closing-line.mjs";

const result = (status: string, ancestorTitles: string[]) => ({ status, ancestorTitles });
const WHY =
  "wal-g is not installed at /usr/local/bin/wal-g: set WALG_BINARY to a wal-g v3.0.x binary";

test("names the skipped engine and its reason, from the describe block's name", () => {
  const report = {
    numPassedTests: 3,
    numFailedTests: 0,
    numPendingTests: 2,
    numTodoTests: 0,
    testResults: [
      {
        assertionResults: [
          result("passed", ["[pgbackrest] restores"]),
          result("pending", [`[wal-g] restores — skipped: ${WHY}`]),
          result("pending", [`[wal-g] backups — skipped: ${WHY}`, "inner"]),
        ],
      },
      { assertionResults: [result("passed", ["a"]), result("passed", [])] },
    ],
  };
  expect(closingLine(report)).toBe(`3 passed, 0 failed, 2 skipped (wal-g: ${WHY})`);
});

test("nothing skipped: no reason; a skip without one is counted as such beside those with one", () => {
  const clean = { numPassedTests: 5, numFailedTests: 1, numPendingTests: 0, numTodoTests: 0 };
  expect(closingLine({ ...clean, testResults: [] })).toBe("5 passed, 1 failed, 0 skipped");
  expect(
    closingLine({
      ...clean,
      numPendingTests: 3,
      testResults: [
        {
          assertionResults: [
            result("skipped", ["plain"]),
            result("pending", [`[wal-g] a — skipped: ${WHY}`]),
            result("pending", [`[wal-g] b — skipped: ${WHY}`]),
          ],
        },
      ],
    }),
  ).toBe(`5 passed, 1 failed, 3 skipped (2 wal-g: ${WHY}; 1 without a reason in their name)`);
});
