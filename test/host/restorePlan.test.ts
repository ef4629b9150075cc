/**
 * The restore's decisions before anything is touched, as pure functions: which times are accepted
 * (an offset is required), which backup a target starts from, and every reason to refuse.
 */
import { describe, expect, test } from "vitest";
import { TARGET_TIME_PATTERN } from "../../infra/catalog/targetTime";
import type { ArchivedSegment, EngineBackup } from "../../scripts/lib/engines";
import { backupOnHistory, planRestore } from "../../scripts/lib/restorePlan";
import { parseTargetTime } from "../../scripts/lib/targetTime";

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
const TL1 = { timeline: 1, switches: [] };
/** PostgreSQL's default `wal_segment_size`. */
const MIB16 = 16 * 1024 * 1024;
const where = "the s3 repository of host a";

describe("planRestore", () => {
  test("a time picks the newest backup that ended before it and the WAL up to the first segment stored after it", () => {
    const result = planRestore({
      backups: [B1, B2],
      segments: SEGMENTS,
      target: { kind: "time", time: at("2026-11-29T07:00:00Z") },
      now: NOW,
      where,
      newest: TL1,
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
      const r = planRestore({
        backups: [B1, B2],
        segments,
        target,
        now: NOW,
        where,
        newest: TL1,
        walSegmentBytes: MIB16,
        ...(backupName ? { backupName } : {}),
      });
      return r.ok ? [] : r.problems;
    };
    expect(refuse({ kind: "time", time: at("2026-11-30T00:00:00Z") })).toEqual([
      "the target time 2026-11-30T00:00:00.000Z is in the future (now 2026-11-29T13:00:00.000Z)",
    ]);
    expect(refuse({ kind: "time", time: at("2026-11-29T01:00:00Z") })).toEqual([
      "the target time 2026-11-29T01:00:00.000Z is before the earliest recoverable time 2026-11-29T02:00:10.000Z (the end of the oldest backup, 20261129-020000F)",
    ]);
    expect(refuse({ kind: "time", time: at("2026-11-29T12:30:00Z") })).toEqual([
      "the target time 2026-11-29T12:30:00.000Z is past the end of archived WAL: the newest segment, 000000010000000000000006, was archived at 2026-11-29T12:00:30.000Z; later commits are not in the s3 repository of host a",
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
    ]);
    expect(
      planRestore({
        backups: [],
        segments: [],
        target: { kind: "latest" },
        now: NOW,
        where,
        newest: TL1,
        walSegmentBytes: MIB16,
      }),
    ).toEqual({
      ok: false,
      problems: ["there is no backup in the s3 repository of host a: nothing to restore from"],
    });
  });

  test("a backup taken on a branch that a later restore abandoned is not on the newest timeline's history", () => {
    const newest = { timeline: 2, switches: [{ parent: 1, lsn: "0/3000000" }] };
    expect(backupOnHistory(B1, newest, MIB16)).toBe(true);
    expect(backupOnHistory(B2, newest, MIB16)).toBe(false);
    const latest = planRestore({
      backups: [B1, B2],
      segments: [...SEGMENTS, seg(3, "2026-11-29T12:30:00Z", 2)],
      target: { kind: "latest" },
      now: NOW,
      where,
      newest,
      walSegmentBytes: MIB16,
    });
    expect(latest.ok && latest.plan.backup.name).toBe(B1.name);
    const onlyB2 = planRestore({
      backups: [B2],
      segments: SEGMENTS,
      target: { kind: "latest" },
      now: NOW,
      where,
      newest,
      walSegmentBytes: MIB16,
    });
    expect(onlyB2.ok ? [] : onlyB2.problems[0]).toMatch(
      /^no backup in the s3 repository of host a lies on the history of timeline 2, the newest/,
    );
  });
});
