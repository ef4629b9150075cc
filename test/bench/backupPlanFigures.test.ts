/** The backup-plans group's figures, goals and verdicts from one engine's measurements. */
import { describe, expect, test } from "vitest";
import {
  backupPlanFigures,
  PLAN_GOALS,
  type PlanMeasurement,
} from "../../scripts/sandbox/bench/backupPlanFigures";
import { verdictOf, type Figure, type MeasuredFigure } from "../../scripts/sandbox/bench/figures";

const MEASURED: PlanMeasurement = {
  engine: "project",
  scale: 20,
  databaseBytes: 320e6,
  fullSeconds: 40,
  fullStoredBytes: 100e6,
  differentialSeconds: 4,
  differentialStoredBytes: 2e6,
  changedBytes: 16e6,
  chainStoredBytes: [2e6, 3e6, 4e6, 5e6, 6e6, 7e6],
  fullRestoreSeconds: 20,
  chainRestoreSeconds: 26,
};

function byFigure(figures: readonly Figure[]): Record<string, MeasuredFigure> {
  return Object.fromEntries(
    figures.map((f) => {
      if (f.status !== "measured") throw new Error(`${f.name} is not measured`);
      return [f.series!.figure, f];
    }),
  );
}

describe("backup plan figures", () => {
  test("each ratio divides the right measurements and carries the goal it is held to", () => {
    const f = byFigure(backupPlanFigures(MEASURED, true));
    expect(f.differentialOverFullTime.value).toBe(0.1);
    expect(f.differentialOverFullTime.goal).toEqual({
      atMost: PLAN_GOALS.differentialOverFullTime,
      unit: "ratio",
    });
    expect(f.differentialStoredOverChanged.value).toBe(0.125);
    expect(f.differentialStoredOverChanged.goal).toBeUndefined();
    // 30 fulls of 100 MB against 5 fulls of 100 MB and 25 differentials of 2 MB
    expect(f["storage30.runbookOverFull"].value).toBe(30);
    expect(f["storage30.recommendedOverFull"].value).toBe(5.5);
    expect(f["storage30.recommendedOverRunbook"].value).toBe(0.183);
    expect(f["storage30.recommendedOverRunbook"].goal?.atMost).toBe(0.25);
    expect(f.chainRestoreOverFullRestore.value).toBe(1.3);
    expect(f.chainRestoreOverFullRestore.title).toBe(
      "restore from the end of 6 differentials / of the full (320 MB)",
    );
    expect(f.changedBytes.value).toBe(16e6);
    expect(f.differentialStoredBytes.value).toBe(2e6);
    expect(f.fullStoredBytes.value).toBe(100e6);
  });

  test("verdicts: within the goal passes, past it fails, a figure without a goal is information", () => {
    const f = byFigure(backupPlanFigures(MEASURED, true));
    expect(verdictOf(f.differentialOverFullTime)).toBe("pass");
    expect(verdictOf(f["storage30.recommendedOverRunbook"])).toBe("pass");
    expect(verdictOf(f.chainRestoreOverFullRestore)).toBe("FAIL");
    expect(verdictOf(f.differentialStoredOverChanged)).toBe("info");
    const slow = byFigure(backupPlanFigures({ ...MEASURED, differentialSeconds: 8 }, true));
    expect(verdictOf(slow.differentialOverFullTime)).toBe("FAIL");
  });

  test("a differential storing as much as a full makes the recommended plan no cheaper than the runbook's", () => {
    const f = byFigure(
      backupPlanFigures({ ...MEASURED, differentialStoredBytes: MEASURED.fullStoredBytes }, true),
    );
    expect(f["storage30.recommendedOverRunbook"].value).toBe(1);
    expect(verdictOf(f["storage30.recommendedOverRunbook"])).toBe("FAIL");
  });

  test("the storage model is stated in the figure, with the bytes it used", () => {
    const f = byFigure(backupPlanFigures(MEASURED, true));
    expect(f["storage30.recommendedOverFull"].note).toBe(
      "recommended: 5 fulls x 100.0 MB + 25 differentials x 2.0 MB (the first differential's stored bytes) = 550.0 MB",
    );
  });

  test("names and series place each figure by engine and scale; goals hold for the project's engine only", () => {
    const figures = backupPlanFigures({ ...MEASURED, engine: "pgbackrest-stock" }, false);
    expect(figures.map((f) => f.name)).toContain(
      "differentialOverFullTime.scale20.pgbackrest-stock",
    );
    expect(figures.every((f) => f.goal === undefined)).toBe(true);
    expect(new Set(figures.map((f) => f.name)).size).toBe(figures.length);
  });
});
