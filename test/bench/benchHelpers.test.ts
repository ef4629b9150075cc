/**
 * The bench's pure helpers: statistics, the JSON shape of `out/bench/<group>.json`, the table,
 * and the parsers of other programs' output (GNU time, synth). The bench itself is not a test.
 */
import { describe, expect, test } from "vitest";
import {
  benchFileName,
  blocked,
  measured,
  serializeGroup,
  verdictOf,
  type BenchGroup,
} from "../../scripts/sandbox/bench/figures";
import { kbToMb, parseGnuTimePeakRssKb } from "../../scripts/sandbox/bench/processProbe";
import { throughputMBps } from "../../scripts/sandbox/bench/rawTransfer";
import { maximum, median, minimum, round } from "../../scripts/sandbox/bench/stats";
import { parseSynthLine } from "../../scripts/sandbox/bench/synthGroup";
import { formatBlockedReasons, formatTable, formatValue } from "../../scripts/sandbox/bench/table";

describe("statistics", () => {
  test.each([
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 1], 10],
    [[0.5, 0.25], 0.375],
  ])("median of %j is %d", (samples, expected) => {
    expect(median(samples)).toBe(expected);
  });

  test("median leaves its input unsorted", () => {
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  test("min and max", () => {
    expect(minimum([3, 1, 2])).toBe(1);
    expect(maximum([3, 1, 2])).toBe(3);
  });

  test.each([
    ["median", () => median([])],
    ["minimum", () => minimum([])],
    ["maximum", () => maximum([])],
  ])("%s of no samples is an error, not NaN or Infinity", (what, call) => {
    expect(call).toThrow(`${what} of no samples`);
  });

  test("a non-finite sample is an error", () => {
    expect(() => median([1, Number.NaN])).toThrow("median of a non-finite sample");
  });

  test("round keeps three decimals by default", () => {
    expect(round(190.123456)).toBe(190.123);
    expect(round(2.5, 0)).toBe(3);
  });
});

describe("figures", () => {
  const input = {
    name: "coldStartMsMedian",
    title: "cold start",
    unit: "ms",
    statistic: "median",
    samples: [250.00049, 310],
  } as const;

  test.each([
    [299.9, true],
    [300, true],
    [300.1, false],
  ])("a value of %d against a goal of at most 300 passes: %s", (value, pass) => {
    expect(measured({ ...input, value, goal: { atMost: 300, unit: "ms" } }).pass).toBe(pass);
  });

  test("a measured figure: exact shape, values rounded, pass only with a goal", () => {
    expect(measured({ ...input, value: 280.00049, goal: { atMost: 300, unit: "ms" } })).toEqual({
      name: "coldStartMsMedian",
      title: "cold start",
      status: "measured",
      unit: "ms",
      value: 280,
      statistic: "median",
      samples: [250, 310],
      goal: { atMost: 300, unit: "ms" },
      pass: true,
    });
    const info = measured({ ...input, value: 280 });
    expect("pass" in info).toBe(false);
    expect("goal" in info).toBe(false);
    expect(verdictOf(info)).toBe("info");
  });

  test("a goal in another unit than its figure is refused", () => {
    expect(() => measured({ ...input, value: 1, goal: { atMost: 0.3, unit: "s" } })).toThrow(
      "figure coldStartMsMedian is in ms but its goal is in s",
    );
  });

  test("a blocked figure carries the reason and the goal it will be held to, and no value", () => {
    const figure = blocked("fullBackupOverRawUpload", "backup / upload", "go: 403 Forbidden", {
      atMost: 1.2,
      unit: "ratio",
    });
    expect(figure).toEqual({
      name: "fullBackupOverRawUpload",
      title: "backup / upload",
      status: "blocked",
      reason: "go: 403 Forbidden",
      goal: { atMost: 1.2, unit: "ratio" },
    });
    expect(verdictOf(figure)).toBe("blocked");
    expect(verdictOf(measured({ ...input, value: 301, goal: { atMost: 300, unit: "ms" } }))).toBe(
      "FAIL",
    );
  });

  test.each([
    ["synth", "synth.json"],
    ["backup-ratios", "backup-ratios.json"],
  ])("group %s is written to %s", (group, file) => {
    expect(benchFileName(group)).toBe(file);
  });

  test.each(["", "Synth", "../synth", "a b"])("group name %j is refused", (group) => {
    expect(() => benchFileName(group)).toThrow("is not kebab-case");
  });
});

const MACHINE: BenchGroup["machine"] = {
  cpus: 2,
  cpuModel: "test cpu",
  memoryMb: 1024,
  loadAverage1m: 0.5,
  node: "v20.19.0",
  platform: "linux 6.1",
};

const GROUPS: readonly BenchGroup[] = [
  {
    group: "synth",
    measuredAt: "2026-01-01T00:00:00.000Z",
    quick: true,
    machine: MACHINE,
    settings: { runs: 2, scales: [6, 64] },
    figures: [
      measured({
        name: "synthWallSecondsMedian",
        title: "offline synth, median of 2",
        unit: "s",
        value: 3.456,
        statistic: "median",
        samples: [3.4, 3.512],
        goal: { atMost: 5, unit: "s" },
      }),
    ],
  },
  {
    group: "backup-ratios",
    measuredAt: "2026-01-01T00:00:00.000Z",
    quick: true,
    machine: MACHINE,
    settings: {},
    figures: [
      blocked("walArchiveLagP99Seconds", "WAL archive lag p99", "no engine", {
        atMost: 65,
        unit: "s",
      }),
      measured({
        name: "databaseBytes",
        title: "database size",
        unit: "bytes",
        value: 104_857_600,
        statistic: "single",
        samples: [104_857_600],
      }),
      measured({
        name: "peak",
        title: "peak RSS",
        unit: "MB",
        value: 81.55,
        statistic: "max",
        samples: [81.55],
        goal: { atMost: 80, unit: "MB" },
      }),
    ],
  },
];

describe("the JSON file", () => {
  test("keys sorted at every level, two-space indent, one trailing newline, and it round-trips", () => {
    const text = serializeGroup(GROUPS[0]);
    expect(text).toBe(
      `{
  "figures": [
    {
      "goal": {
        "atMost": 5,
        "unit": "s"
      },
      "name": "synthWallSecondsMedian",
      "pass": true,
      "samples": [
        3.4,
        3.512
      ],
      "statistic": "median",
      "status": "measured",
      "title": "offline synth, median of 2",
      "unit": "s",
      "value": 3.456
    }
  ],
  "group": "synth",
  "machine": {
    "cpuModel": "test cpu",
    "cpus": 2,
    "loadAverage1m": 0.5,
    "memoryMb": 1024,
    "node": "v20.19.0",
    "platform": "linux 6.1"
  },
  "measuredAt": "2026-01-01T00:00:00.000Z",
  "quick": true,
  "settings": {
    "runs": 2,
    "scales": [
      6,
      64
    ]
  }
}
`,
    );
    expect(JSON.parse(text)).toEqual(GROUPS[0]);
  });

  test("a blocked figure in JSON is status, reason, goal and names only", () => {
    const parsed = JSON.parse(serializeGroup(GROUPS[1])) as { figures: Record<string, unknown>[] };
    expect(Object.keys(parsed.figures[0])).toEqual(["goal", "name", "reason", "status", "title"]);
  });
});

describe("the table", () => {
  test.each([
    [3.456, "s", "3.46 s"],
    [190.6, "ms", "191 ms"],
    [81.55, "MB", "81.5 MB"],
    [146.44, "MB/s", "146.4 MB/s"],
    [1.234, "ratio", "1.23"],
    [0.0048, "%", "0.005 %"],
    [104_857_600, "bytes", "104.9 MB"],
  ] as const)("%d %s reads %s", (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });

  test("one aligned row per figure with its goal and verdict", () => {
    expect(formatTable(GROUPS)).toBe(
      [
        "group          figure                      value     goal        result",
        "-------------  --------------------------  --------  ----------  -------",
        "synth          offline synth, median of 2  3.46 s    <= 5.00 s   pass",
        "backup-ratios  WAL archive lag p99         blocked   <= 65.00 s  blocked",
        "backup-ratios  database size               104.9 MB  -           info",
        "backup-ratios  peak RSS                    81.5 MB   <= 80.0 MB  FAIL",
      ].join("\n"),
    );
  });

  test("under the table, each blocked figure's reason, which the table shows only as blocked", () => {
    expect(formatBlockedReasons(GROUPS)).toBe("backup-ratios: WAL archive lag p99: no engine");
    expect(formatBlockedReasons([GROUPS[0]])).toBe("");
  });
});

describe("reading other programs' output", () => {
  test("GNU time's peak RSS, converted to MB of 10^6 bytes", () => {
    const report = [
      '\tCommand being timed: "node health-check.mjs"',
      "\tUser time (seconds): 0.21",
      "\tMaximum resident set size (kbytes): 79380",
      "\tExit status: 0",
    ].join("\n");
    expect(parseGnuTimePeakRssKb(report)).toBe(79380);
    expect(kbToMb(79380)).toBeCloseTo(81.285, 3);
    expect(() => parseGnuTimePeakRssKb("Command terminated by signal 9")).toThrow(
      "no peak RSS in GNU time's report",
    );
  });

  test("synth's summary line", () => {
    expect(
      parseSynthLine(
        "synth: stack 'prod': 109 resources in 2.52 s -> out/synth/prod/plan.json\nsynth: 21 host artifacts\n",
      ),
    ).toEqual({ resources: 109, seconds: 2.52 });
    expect(() => parseSynthLine("something else")).toThrow("synth printed no summary line");
  });

  test("throughput in MB (10^6 bytes) per second", () => {
    expect(throughputMBps(100_000_000, 2)).toBe(50);
  });
});
