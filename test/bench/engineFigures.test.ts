/**
 * The engine comparison's pure parts: LSNs and the WAL a repository holds, RPO from acknowledged
 * writes and repository samples, segment names in each engine's object keys, and the side-by-side
 * table. The engine runs themselves are the bench, not a test.
 */
import { describe, expect, test } from "vitest";
import { formatEngineTable } from "../../scripts/sandbox/bench/engineTable";
import { blocked, measured, type BenchGroup } from "../../scripts/sandbox/bench/figures";
import { segmentOfKey } from "../../scripts/sandbox/bench/repositoryListing";
import {
  archivedEnd,
  parseLsn,
  rpoSecondsAt,
  rpoSeries,
  segmentIndexBefore,
  type AckedWrite,
} from "../../scripts/sandbox/bench/rpo";

const MiB16 = 16n * 1024n * 1024n;

describe("LSNs and segments", () => {
  test.each([
    ["0/0", 0n],
    ["0/1000000", MiB16],
    ["16/B374D848", (0x16n << 32n) | 0xb374d848n],
    ["1/0", 1n << 32n],
  ])("%s is byte %d", (text, bytes) => {
    expect(parseLsn(text)).toBe(bytes);
  });

  test.each(["", "0x10", "1/", "G/0", "123456789/0"])("%j is refused, naming it", (text) => {
    expect(() => parseLsn(text)).toThrow(`'${text}' is not a PostgreSQL LSN (X/Y, hexadecimal)`);
  });

  test("a commit ending exactly at a segment boundary lives in the segment before it", () => {
    expect(segmentIndexBefore(MiB16)).toBe(0n);
    expect(segmentIndexBefore(MiB16 + 1n)).toBe(1n);
    expect(() => segmentIndexBefore(0n)).toThrow("LSN 0 has no byte before it");
  });

  test("the archive's end is the first missing segment from the run's first one", () => {
    const names = [
      "000000010000000000000003",
      "000000010000000000000004",
      "000000010000000000000006", // after a gap: does not count
      "000000020000000000000005", // another timeline
      "00000001.history",
    ];
    expect(archivedEnd(names, 1, 3n)).toBe(5n * MiB16);
    expect(archivedEnd(names, 1, 5n)).toBe(5n * MiB16);
    expect(archivedEnd([], 1, 7n)).toBe(7n * MiB16);
  });

  test("segment 0x100 of a log is the next log's first (16 MiB segments)", () => {
    expect(archivedEnd(["0000000100000000000000FF", "000000010000000100000000"], 1, 255n)).toBe(
      257n * MiB16,
    );
  });
});

describe("RPO from acknowledged writes", () => {
  // One write a second, each 1 MiB further on in the WAL.
  const writes: AckedWrite[] = Array.from({ length: 10 }, (_, i) => ({
    ackedAtMs: 1_000 * (i + 1),
    lsn: BigInt(i + 1) * 1024n * 1024n,
  }));

  test("nothing lost when the repository holds every acknowledged write", () => {
    expect(rpoSecondsAt({ atMs: 10_500, archivedEnd: MiB16 }, writes)).toBe(0);
  });

  test("the loss runs from the oldest write the repository lacks to the sample", () => {
    // Holds up to 4 MiB: writes 1-4 safe, write 5 (acked at 5 s) is the oldest lost.
    expect(rpoSecondsAt({ atMs: 9_250, archivedEnd: 4n * 1024n * 1024n }, writes)).toBe(4.25);
  });

  test("writes acknowledged after the sample do not count", () => {
    expect(rpoSecondsAt({ atMs: 2_000, archivedEnd: 2n * 1024n * 1024n }, writes)).toBe(0);
  });

  test("a series keeps only samples from the first acknowledgement on", () => {
    const samples = [
      { atMs: 500, archivedEnd: 0n },
      { atMs: 3_000, archivedEnd: 0n },
      { atMs: 4_000, archivedEnd: 3n * 1024n * 1024n },
    ];
    expect(rpoSeries(samples, writes)).toEqual([2, 0]);
    expect(() => rpoSeries(samples, [])).toThrow("the write load got no acknowledged write");
  });
});

describe("segments in each engine's object keys", () => {
  test.each([
    [
      "postgres/h/archive/main/15-1/0000000100000000/000000010000000000000003-4b2a0c0e9a1d4b7f8e2b3c4d5e6f708192a3b4c5.zst",
      "000000010000000000000003",
    ],
    [
      "bench/barman-cloud/bench/wals/0000000100000000/000000010000000000000004",
      "000000010000000000000004",
    ],
    [
      "bench/barman-cloud/bench/wals/0000000100000000/000000010000000000000004.gz",
      "000000010000000000000004",
    ],
    ["postgres/h-wal-g/wal_005/000000010000000000000005.lz4", "000000010000000000000005"],
  ])("%s holds %s", (key, segment) => {
    expect(segmentOfKey(key)).toBe(segment);
  });

  test.each([
    "postgres/h/archive/main/15-1/00000002.history",
    "bench/barman-cloud/bench/wals/0000000100000000/000000010000000000000003.00000028.backup",
    "postgres/h/archive/main/15-1/0000000100000000/000000010000000000000003.partial",
    "postgres/h/backup/main/20261129-020000F/pg_data/base/1/1259.zst",
  ])("%s is not a segment", (key) => {
    expect(segmentOfKey(key)).toBeUndefined();
  });
});

describe("the engines side by side", () => {
  const figure = (name: string, engine: string, value: number, goal?: number) =>
    measured({
      name: `${name}.scale20.${engine}`,
      series: { figure: name, engine, scale: 20 },
      title: `${name} (321 MB)`,
      unit: "ratio",
      value,
      statistic: "single",
      samples: [value],
      ...(goal !== undefined ? { goal: { atMost: goal, unit: "ratio" as const } } : {}),
    });
  const group: BenchGroup = {
    group: "engines",
    measuredAt: "2026-01-01T00:00:00.000Z",
    quick: false,
    machine: { cpus: 2, cpuModel: "t", memoryMb: 1, loadAverage1m: 0, node: "v22", platform: "l" },
    settings: {},
    figures: [
      figure("backupOverRawUpload", "project", 0.35, 0.4),
      figure("backupOverRawUpload", "barman-cloud", 3.1),
      figure("storedOverDatabaseSize", "project", 0.2, 0.15),
      figure("storedOverDatabaseSize", "barman-cloud", 2),
      blocked("skipped.scale20.wal-g", "wal-g: skipped", "WALG_BINARY is not set", undefined, {
        figure: "skipped",
        engine: "wal-g",
        scale: 20,
      }),
    ],
  };

  test("a row per figure, a column per engine, the goal and verdict of the engine that holds it", () => {
    expect(formatEngineTable(group)).toBe(
      [
        "figure                           project  barman-cloud  wal-g    goal     result",
        "-------------------------------  -------  ------------  -------  -------  ------",
        "backupOverRawUpload (321 MB)     0.35     3.10          skipped  <= 0.40  pass",
        "storedOverDatabaseSize (321 MB)  0.20     2.00          skipped  <= 0.15  FAIL",
        "wal-g skipped: WALG_BINARY is not set",
      ].join("\n"),
    );
  });
});
