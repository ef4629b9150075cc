/**
 * The restore's decisions before anything is touched, as pure functions: which times are accepted
 * (an offset is required), which backup a target starts from, and every reason to refuse.
 */
import { describe, expect, test } from "vitest";
import { TARGET_TIME_PATTERN } from "../../../infra/catalog/targetTime";
import type { ArchivedSegment, EngineBackup, TimelineHistory } from "../../../scripts/lib/engines";
import {
  backupOnHistory,
  strayTimelineProblem,
  strayTimelines,
} from "../../../scripts/lib/engines/walHistory";
import { planRestore } from "../../../scripts/jobs/pg-restore/restorePlan";
import { parseTargetTime } from "../../../scripts/lib/postgres/targetTime";

describe("target times", () => {
  test.each([
    ["2026-11-29T14:30:00Z", "2026-11-29T14:30:00.000Z"],
    ["2026-11-29T16:30:00+02:00", "2026-11-29T14:30:00.000Z"],
    ["2026-11-29T09:00:00.25-05:30", "2026-11-29T14:30:00.250Z"],
  ])("%s is %s", (text, iso) => {
    expect(parseTargetTime(text)).toMatchObject({ time: new Date(iso) });
    expect(new RegExp(TARGET_TIME_PATTERN).test(text)).toBe(true);
  });

  test.each([
    [
      "2026-11-29T14:30:00",
      'TARGET_TIME="2026-11-29T14:30:00" has no UTC offset (add Z for UTC, or e.g. +02:00)',
    ],
    [
      "2026-11-29 14:30",
      'TARGET_TIME="2026-11-29 14:30" has no UTC offset (add Z for UTC, or e.g. +02:00)',
    ],
    ["yesterday", 'TARGET_TIME="yesterday" is not a time'],
    ["2026-02-30T10:00:00Z", 'TARGET_TIME="2026-02-30T10:00:00Z" is not a real time'],
  ])("%s is refused", (text, message) => {
    const parsed = parseTargetTime(text);
    expect("problem" in parsed && parsed.problem.startsWith(message)).toBe(true);
  });
});

const at = (iso: string) => new Date(iso);
function backup(
  name: string,
  walStart: string,
  walStop: string,
  stoppedAt: string,
  stopLsn?: string,
): EngineBackup {
  return {
    name,
    kind: "full",
    repository: "s3",
    startedAt: at(stoppedAt),
    stoppedAt: at(stoppedAt),
    walStart,
    walStop,
    ...(stopLsn ? { stopLsn } : {}),
    databaseBytes: 1000,
    storedBytes: 100,
    annotations: {},
    ok: true,
  };
}
const seg = (n: number, archivedAt: string, timeline = 1): ArchivedSegment => ({
  name: `${timeline.toString(16).toUpperCase().padStart(8, "0")}00000000${n.toString(16).toUpperCase().padStart(8, "0")}`,
  archivedAt: at(archivedAt),
  bytes: 10,
});

const B1 = backup(
  "20261129-020000F",
  "000000010000000000000002",
  "000000010000000000000002",
  "2026-11-29T02:00:10Z",
  "0/2000100",
);
const B2 = backup(
  "20261129-120000F",
  "000000010000000000000005",
  "000000010000000000000005",
  "2026-11-29T12:00:10Z",
  "0/5000100",
);
const SEGMENTS = [2, 3, 4, 5, 6].map((n) =>
  seg(n, `2026-11-29T${String(n * 2).padStart(2, "0")}:00:30Z`),
);
const NOW = at("2026-11-29T13:00:00Z");
const TL1: TimelineHistory = { timeline: 1, switches: [], hasHistory: true };
/** PostgreSQL's default `wal_segment_size`. */
const MIB16 = 16 * 1024 * 1024;
const where = "the s3 repository of host a";

/** `planRestore` over `backups` and `segments` on timeline 1, at NOW, as most cases ask it. */
function planOver(
  backups: readonly EngineBackup[],
  target: Parameters<typeof planRestore>[0]["target"],
  backupName?: string,
  segments: readonly ArchivedSegment[] = SEGMENTS,
) {
  return planRestore({
    backups,
    segments,
    target,
    now: NOW,
    where,
    timelines: [TL1],
    walSegmentBytes: MIB16,
    ...(backupName ? { backupName } : {}),
  });
}

describe("planRestore", () => {
  test("a time picks the newest backup that ended before it and the WAL up to the first segment stored after it", () => {
    const result = planRestore({
      backups: [B1, B2],
      segments: SEGMENTS,
      target: { kind: "time", time: at("2026-11-29T07:00:00Z") },
      now: NOW,
      where,
      timelines: [TL1],
      walSegmentBytes: MIB16,
    });
    expect(result.ok && result.plan.backup.name).toBe(B1.name);
    expect(
      result.ok && [result.plan.walFirst, result.plan.walLast, result.plan.walSegments],
    ).toEqual(["000000010000000000000002", "000000010000000000000004", 3]);
  });

  test("every refusal names its reason", () => {
    const refuse = (
      target: Parameters<typeof planRestore>[0]["target"],
      backupName?: string,
      segments = SEGMENTS,
    ) => {
      const r = planOver([B1, B2], target, backupName, segments);
      return r.ok ? [] : r.problems;
    };
    expect(refuse({ kind: "time", time: at("2026-11-30T00:00:00Z") })).toEqual([
      "the target time 2026-11-30T00:00:00.000Z is in the future (now 2026-11-29T13:00:00.000Z)",
    ]);
    expect(refuse({ kind: "time", time: at("2026-11-29T01:00:00Z") })).toEqual([
      "the target time 2026-11-29T01:00:00.000Z is before the earliest recoverable time 2026-11-29T02:00:10.000Z (the end of the oldest backup, 20261129-020000F)",
    ]);
    expect(refuse({ kind: "time", time: at("2026-11-29T12:30:00Z") })).toEqual([
      "the target time 2026-11-29T12:30:00.000Z is past the end of the recoverable window: the archive is contiguous and readable up to segment 000000010000000000000006, archived at 2026-11-29T12:00:30.000Z; later commits cannot be recovered from the s3 repository of host a",
    ]);
    expect(refuse({ kind: "backup" }, "20200101-000000F")).toEqual([
      'backup "20200101-000000F" is not in the s3 repository of host a; backups there: 20261129-020000F, 20261129-120000F',
    ]);
    expect(
      refuse({ kind: "latest" }, undefined, SEGMENTS.filter((s) => !s.name.endsWith("6")).concat()),
    ).toEqual([]);
    expect(
      refuse(
        { kind: "time", time: at("2026-11-29T09:00:00Z") },
        undefined,
        SEGMENTS.filter((s) => !s.name.endsWith("03")),
      ),
    ).toEqual([
      "WAL segment 000000010000000000000003 is missing from the repository: recovery cannot replay past it",
      "the archive is contiguous and readable up to segment 000000010000000000000002, archived at 2026-11-29T04:00:30.000Z: a time target up to then can be restored",
    ]);
    expect(
      planRestore({
        backups: [],
        segments: [],
        target: { kind: "latest" },
        now: NOW,
        where,
        timelines: [TL1],
        walSegmentBytes: MIB16,
      }),
    ).toEqual({
      ok: false,
      problems: ["there is no backup in the s3 repository of host a: nothing to restore from"],
    });
  });

  test("the recoverable window ends at the last readable segment: an empty object ends it like a missing one, and is named", () => {
    // Given the newest archived segment's object is empty (a push that left nothing)
    const emptied = SEGMENTS.map((s) => (s.name.endsWith("06") ? { ...s, bytes: 0 } : s));
    const plan = (target: Parameters<typeof planRestore>[0]["target"], segments = emptied) =>
      planRestore({
        backups: [B1, B2],
        segments,
        target,
        now: NOW,
        where,
        timelines: [TL1],
        walSegmentBytes: MIB16,
      });
    // Then `latest` replays up to the segment before it, and the window ends there
    const latest = plan({ kind: "latest" });
    expect(latest.ok && [latest.plan.walLast, latest.plan.archiveEnd?.name]).toEqual([
      "000000010000000000000005",
      "000000010000000000000005",
    ]);
    // And a time after the last readable segment's is refused, naming where the window ends
    expect(plan({ kind: "time", time: at("2026-11-29T11:00:00Z") })).toEqual({
      ok: false,
      problems: [
        "the target time 2026-11-29T11:00:00.000Z is past the end of the recoverable window: the archive is contiguous and readable up to segment 000000010000000000000005, archived at 2026-11-29T10:00:30.000Z; later commits cannot be recovered from the s3 repository of host a",
      ],
    });
    // And an empty object in the middle of the path is named as empty, with where the window ends
    const middle = SEGMENTS.map((s) => (s.name.endsWith("04") ? { ...s, bytes: 0 } : s));
    expect(plan({ kind: "time", time: at("2026-11-29T07:00:00Z") }, middle)).toEqual({
      ok: false,
      problems: [
        "WAL segment 000000010000000000000004 is an empty object in the repository: recovery cannot replay past it",
        "the archive is contiguous and readable up to segment 000000010000000000000003, archived at 2026-11-29T06:00:30.000Z: a time target up to then can be restored",
      ],
    });
  });

  test("a damaged newer backup is passed over by name, never in silence, and is refused when named", () => {
    const B3 = {
      ...backup(
        "20261129-124000F",
        "000000010000000000000006",
        "000000010000000000000006",
        "2026-11-29T12:40:00Z",
      ),
      ok: false,
      damage: ["base/16384/16385 at page(s) 0"],
    };
    const latest = planRestore({
      backups: [B1, B2, B3],
      segments: SEGMENTS,
      target: { kind: "latest" },
      now: NOW,
      where,
      timelines: [TL1],
      walSegmentBytes: MIB16,
    });
    expect(latest.ok && latest.plan.backup.name).toBe(B2.name);
    expect(latest.ok && latest.plan.damagedSkipped.map((b) => b.name)).toEqual([B3.name]);
    expect(
      planRestore({
        backups: [B1, B2, B3],
        segments: SEGMENTS,
        target: { kind: "backup" },
        backupName: B3.name,
        now: NOW,
        where,
        timelines: [TL1],
        walSegmentBytes: MIB16,
      }),
    ).toEqual({
      ok: false,
      problems: [
        "backup 20261129-124000F is damaged: the engine read pages that failed their checksums while taking it: base/16384/16385 at page(s) 0: it would restore damaged pages; name an older backup or restore TARGET=latest",
      ],
    });
  });

  test("a backup taken on a branch that a later restore abandoned is not on the current timeline's history", () => {
    const tl2: TimelineHistory = {
      timeline: 2,
      switches: [{ parent: 1, lsn: "0/3000000" }],
      hasHistory: true,
      historyArchivedAt: at("2026-11-29T12:30:00Z"),
      firstSegment: "000000020000000000000003",
    };
    expect(backupOnHistory(B1, tl2, MIB16)).toBe(true);
    expect(backupOnHistory(B2, tl2, MIB16)).toBe(false);
    const latest = planRestore({
      backups: [B1, B2],
      segments: [...SEGMENTS, seg(3, "2026-11-29T12:30:00Z", 2)],
      target: { kind: "latest" },
      now: NOW,
      where,
      timelines: [TL1, tl2],
      walSegmentBytes: MIB16,
      clusterTimeline: 2,
    });
    expect(latest.ok && [latest.plan.backup.name, latest.plan.timeline]).toEqual([B1.name, 2]);
    const onlyB2 = planRestore({
      backups: [B2],
      segments: SEGMENTS,
      target: { kind: "latest" },
      now: NOW,
      where,
      timelines: [TL1, tl2],
      walSegmentBytes: MIB16,
      clusterTimeline: 2,
    });
    expect(onlyB2.ok ? [] : onlyB2.problems[0]).toMatch(
      /^no backup in the s3 repository of host a lies on the history of timeline 2 \(production: the running cluster's current timeline\)/,
    );
  });
});

describe("timelines a restore follows", () => {
  // A copy restored elsewhere with production's archive settings forked timeline 2 off timeline
  // 1 at 0/3000000, pushed its history file and two segments, and wrote its own rows there.
  // Production stayed on timeline 1, took B2 afterwards and archived on.
  const STRAY: TimelineHistory = {
    timeline: 2,
    switches: [{ parent: 1, lsn: "0/3000000" }],
    hasHistory: true,
    historyArchivedAt: at("2026-11-29T05:00:00Z"),
    firstSegment: "000000020000000000000003",
  };
  const WITH_STRAY = [
    ...SEGMENTS,
    seg(3, "2026-11-29T05:00:10Z", 2),
    seg(4, "2026-11-29T05:30:00Z", 2),
  ];
  const plan = (target: Parameters<typeof planRestore>[0]["target"], clusterTimeline?: number) =>
    planRestore({
      backups: [B1, B2],
      segments: WITH_STRAY,
      target,
      now: NOW,
      where,
      timelines: [TL1, STRAY],
      walSegmentBytes: MIB16,
      ...(clusterTimeline !== undefined ? { clusterTimeline } : {}),
    });

  test.each([
    ["the running cluster's timeline", 1],
    ["without a cluster, the newest timeline through the newest backup", undefined],
  ])(
    "latest restores the newest production backup along timeline 1 (%s), never the stray history",
    (_, cluster) => {
      const r = plan({ kind: "latest" }, cluster);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) return;
      expect([r.plan.backup.name, r.plan.timeline, r.plan.history]).toEqual([B2.name, 1, [1]]);
      expect([r.plan.walFirst, r.plan.walLast, r.plan.walSegments]).toEqual([
        "000000010000000000000005",
        "000000010000000000000006",
        2,
      ]);
      expect(r.plan.notFollowed.map((t) => [t.timeline, t.firstSegment])).toEqual([
        [2, "000000020000000000000003"],
      ]);
    },
  );

  test("without a cluster (a clone), a timeline production branched after its newest backup is followed", () => {
    const restored: TimelineHistory = {
      timeline: 3,
      switches: [{ parent: 1, lsn: "0/6000000" }],
      hasHistory: true,
      historyArchivedAt: at("2026-11-29T12:20:00Z"),
      firstSegment: "000000030000000000000006",
    };
    const r = planRestore({
      backups: [B1, B2],
      segments: [
        ...WITH_STRAY,
        seg(6, "2026-11-29T12:20:05Z", 3),
        seg(7, "2026-11-29T12:40:00Z", 3),
      ],
      target: { kind: "latest" },
      now: NOW,
      where,
      timelines: [TL1, STRAY, restored],
      walSegmentBytes: MIB16,
    });
    expect(r.ok && [r.plan.backup.name, r.plan.timeline, r.plan.history, r.plan.walLast]).toEqual([
      B2.name,
      3,
      [1, 3],
      "000000030000000000000007",
    ]);
  });

  test("a time after the fork replays timeline 1's segments, not the stray ones", () => {
    const r = plan({ kind: "time", time: at("2026-11-29T07:00:00Z") }, 1);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect([r.plan.backup.name, r.plan.timeline, r.plan.walLast, r.plan.walSegments]).toEqual([
      B1.name,
      1,
      "000000010000000000000004",
      3,
    ]);
  });

  test("a second point-in-time restore to the same target follows the timeline that was current then", () => {
    // The first restore to T stopped on timeline 1 at 0/4000100 and promoted timeline 2 at 12:30;
    // the cluster is on timeline 2 now, whose WAL holds no commit after T.
    const T = at("2026-11-29T07:00:00Z");
    const afterFirst: TimelineHistory = {
      timeline: 2,
      switches: [{ parent: 1, lsn: "0/4000100" }],
      hasHistory: true,
      historyArchivedAt: at("2026-11-29T12:30:00Z"),
      firstSegment: "000000020000000000000004",
    };
    const segments = [...SEGMENTS, seg(4, "2026-11-29T12:30:05Z", 2)];
    const again = (time: Date) =>
      planRestore({
        backups: [B1, B2],
        segments,
        target: { kind: "time", time },
        now: at("2026-11-29T13:00:00Z"),
        where,
        timelines: [TL1, afterFirst],
        walSegmentBytes: MIB16,
        clusterTimeline: 2,
      });
    const second = again(T);
    expect(second.ok, JSON.stringify(second)).toBe(true);
    if (!second.ok) return;
    expect([second.plan.backup.name, second.plan.timeline, second.plan.walLast]).toEqual([
      B1.name,
      1,
      "000000010000000000000004",
    ]);
    // A time after the first restore's promotion is on timeline 2.
    const later = again(at("2026-11-29T12:30:03Z"));
    expect(later.ok && [later.plan.timeline, later.plan.walLast]).toEqual([
      2,
      "000000020000000000000004",
    ]);
  });

  test("a timeline above the cluster's current one is stray and named with its first segment; an abandoned branch below it is not", () => {
    const abandoned: TimelineHistory = { ...STRAY, timeline: 2 };
    const current: TimelineHistory = {
      timeline: 3,
      switches: [{ parent: 1, lsn: "0/5000000" }],
      hasHistory: true,
      firstSegment: "000000030000000000000005",
    };
    const stray4: TimelineHistory = { ...STRAY, timeline: 4, firstSegment: undefined };
    const all = [TL1, abandoned, current, stray4];
    expect(strayTimelines(3, all).map((t) => t.timeline)).toEqual([4]);
    expect(strayTimelines(1, [TL1, STRAY]).map((t) => t.timeline)).toEqual([2]);
    const production = { timeline: 1, from: "the running cluster's current timeline" };
    expect(strayTimelineProblem(STRAY, production)).toEqual({
      subject: "000000020000000000000003",
      message: expect.stringMatching(
        /^timeline 2 \(its first WAL segment 000000020000000000000003\) is not on this cluster's history: production is on timeline 1 \(the running cluster's current timeline\)/,
      ) as unknown as string,
    });
    expect(strayTimelineProblem(stray4, production).subject).toBe("00000004.history");
  });

  test("a timeline whose history file the repository lacks is refused, naming it, with the target's other reasons", () => {
    const refuse = (target: Parameters<typeof planRestore>[0]["target"]) => {
      const r = planRestore({
        backups: [B1],
        segments: [...SEGMENTS, seg(7, "2026-11-29T12:40:00Z", 3)],
        target,
        now: NOW,
        where,
        timelines: [TL1, { timeline: 3, switches: [], hasHistory: false }],
        walSegmentBytes: MIB16,
        clusterTimeline: 3,
      });
      return r.ok ? [] : r.problems;
    };
    const missing =
      "timeline 3 (the running cluster's current timeline) has no history file in the s3 repository of host a: PostgreSQL cannot recover along it without one; check that archiving works (the history file is archived at promotion) or name a backup with TARGET=backup";
    expect(refuse({ kind: "latest" })).toEqual([missing]);
    expect(refuse({ kind: "time", time: at("2026-11-29T01:00:00Z") })).toEqual([
      missing,
      "the target time 2026-11-29T01:00:00.000Z is before the earliest recoverable time 2026-11-29T02:00:10.000Z (the end of the oldest backup, 20261129-020000F)",
    ]);
  });
});

describe("planRestore over differential chains", () => {
  const DIFF: EngineBackup = {
    ...backup(
      "20261129-020000F_20261129-120000D",
      "000000010000000000000005",
      "000000010000000000000005",
      "2026-11-29T12:00:10Z",
      "0/5000100",
    ),
    kind: "differential",
    prior: B1.name,
    storedBytes: 7,
  };
  const plan = (
    backups: readonly EngineBackup[],
    target: Parameters<typeof planRestore>[0]["target"],
    backupName?: string,
  ) => planOver(backups, target, backupName);

  test("latest restores the differential, reading its full first, and counts both as read", () => {
    const result = plan([B1, DIFF], { kind: "latest" });
    expect(result.ok && result.plan.chain.map((b) => b.name)).toEqual([B1.name, DIFF.name]);
    expect(result.ok && result.plan.fetchBytes).toBe(100 + 7 + 10 * 2);
    expect(result.ok && result.plan.brokenChains).toEqual([]);
  });

  test("a time before the differential restores the full alone", () => {
    const result = plan([B1, DIFF], { kind: "time", time: at("2026-11-29T07:00:00Z") });
    expect(result.ok && result.plan.chain.map((b) => b.name)).toEqual([B1.name]);
  });

  test("a differential whose full is gone is refused by name, and latest passes it over, saying why", () => {
    const orphan = { ...DIFF, prior: "20261122-020000F" };
    expect(plan([B1, orphan], { kind: "backup" }, orphan.name)).toEqual({
      ok: false,
      problems: [
        `backup ${orphan.name} (differential) builds on 20261122-020000F, which is not in the s3 repository of host a: it cannot be restored without it; name a backup whose chain is whole (backups there: ${B1.name}) or restore TARGET=latest`,
      ],
    });
    const latest = plan([B1, orphan], { kind: "latest" });
    expect(latest.ok && latest.plan.backup.name).toBe(B1.name);
    expect(latest.ok && latest.plan.brokenChains).toEqual([
      `backup ${orphan.name} (differential) builds on 20261122-020000F, which is not in the s3 repository of host a: it cannot be restored without it`,
    ]);
  });

  test("a differential on a damaged full is refused, naming the full", () => {
    const damagedFull = { ...B1, ok: false };
    const result = plan([damagedFull, DIFF], { kind: "backup" }, DIFF.name);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^there is no usable backup in the s3 repository of host a: backup ${B1.name} .*; backup ${DIFF.name} \\(differential\\) builds on ${B1.name}, which is damaged: it would restore damaged pages$`,
        ),
      ),
    ]);
  });
});
