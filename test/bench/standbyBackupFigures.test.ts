/** The standby-backup group's figures, goal and verdicts from one engine's measurements. */
import { describe, expect, test } from "vitest";
import { verdictOf, type Figure } from "../../scripts/sandbox/bench/figures";
import {
  implausibleTrace,
  standbyBackupFigures,
  STANDBY_GOALS,
  type StandbyMeasurement,
} from "../../scripts/sandbox/bench/standbyBackupFigures";

const MEASURED: StandbyMeasurement = {
  engine: "project",
  scale: 20,
  databaseBytes: 320e6,
  primaryFullSeconds: 10,
  standbyFullSeconds: 12,
  reads: {
    measured: true,
    primary: {
      bytes: 16_384,
      files: [
        { path: "global/pg_control", bytes: 8192 },
        { path: "postgresql.auto.conf", bytes: 8192 },
      ],
    },
    standby: { bytes: 318e6, files: [{ path: "base/5/16397", bytes: 318e6 }] },
  },
};

function byFigure(figures: readonly Figure[]): Record<string, Figure> {
  return Object.fromEntries(figures.map((f) => [f.series!.figure, f]));
}

function value(figure: Figure): number {
  if (figure.status !== "measured") throw new Error(`${figure.name} is not measured`);
  return figure.value;
}

describe("standby backup figures", () => {
  test("the primary's reads over the database carry the 1 % goal; the standby's and the time are information", () => {
    const f = byFigure(standbyBackupFigures(MEASURED, true));
    expect(value(f.primaryReadShare)).toBe(0.005); // 16 kB of 320 MB, in percent
    expect(f.primaryReadShare.goal).toEqual({ atMost: STANDBY_GOALS.primaryReadShare, unit: "%" });
    expect(f.primaryReadShare.name).toBe("primaryReadShare.scale20.project");
    expect(verdictOf(f.primaryReadShare)).toBe("pass");
    expect(value(f.standbyReadShare)).toBe(99.375);
    expect(verdictOf(f.standbyReadShare)).toBe("info");
    expect(value(f.standbyOverPrimaryFullTime)).toBe(1.2);
    expect(verdictOf(f.standbyOverPrimaryFullTime)).toBe("info");
    expect(value(f.primaryReadBytes)).toBe(16_384);
  });

  test("the read figure names the primary's files the engine read", () => {
    const f = byFigure(standbyBackupFigures(MEASURED, true));
    expect(f.primaryReadShare.status === "measured" && f.primaryReadShare.note).toMatch(
      /^16384 bytes from 2 files under the primary's data directory \(global\/pg_control 8192 B, postgresql\.auto\.conf 8192 B\)/,
    );
  });

  test("1 % of the database read from the primary passes; a little more fails", () => {
    const verdict = (bytes: number) => {
      const reads = { ...MEASURED.reads, primary: { bytes, files: [] } };
      const f = byFigure(standbyBackupFigures({ ...MEASURED, reads }, true));
      return verdictOf(f.primaryReadShare);
    };
    expect(verdict(3.2e6)).toBe("pass");
    // 1.016 %: as a ratio to three decimals it would read 0.010 and pass
    expect(verdict(3.25e6)).toBe("FAIL");
  });

  test("another engine's figures carry no goal", () => {
    const f = byFigure(standbyBackupFigures({ ...MEASURED, engine: "wal-g" }, false));
    expect(f.primaryReadShare.goal).toBeUndefined();
    expect(verdictOf(f.primaryReadShare)).toBe("info");
  });

  test("without strace the read figures say why they are not measured, keeping the goal; the time is still measured", () => {
    const f = byFigure(
      standbyBackupFigures(
        { ...MEASURED, reads: { measured: false, reason: "/usr/bin/strace is not installed" } },
        true,
      ),
    );
    expect(f.primaryReadShare).toMatchObject({
      status: "blocked",
      reason: "not measured: /usr/bin/strace is not installed",
      goal: { atMost: 1, unit: "%" },
    });
    expect(verdictOf(f.primaryReadShare)).toBe("blocked");
    expect(f.standbyReadShare.status).toBe("blocked");
    expect(value(f.standbyOverPrimaryFullTime)).toBe(1.2);
    expect(f.primaryReadBytes).toBeUndefined();
  });

  test("a trace that saw under half the database read from the standby missed the reads: not measured, never a pass", () => {
    const blind: StandbyMeasurement = {
      ...MEASURED,
      reads: {
        measured: true,
        primary: { bytes: 0, files: [] },
        standby: { bytes: 1e6, files: [] },
      },
    };
    const f = byFigure(standbyBackupFigures(blind, true));
    expect(verdictOf(f.primaryReadShare)).toBe("blocked");
    expect(f.primaryReadShare.status === "blocked" && f.primaryReadShare.reason).toBe(
      "not measured: the trace recorded 1.0 MB read from the standby's data directory, 0.3 % of the database: less than 50 %, so it missed the engine's reads",
    );
    expect(implausibleTrace(160e6, 320e6)).toBeUndefined();
  });
});
