/**
 * The drill's judgement of a restore, by content: which acknowledged writes must be back at a
 * target time, which must not, the newest-state prefix rule, the RPO, and the default target.
 */
import { describe, expect, test } from "vitest";
import type { AckedWrite } from "../../../scripts/sandbox/drill/steadyWriter";
import {
  checkWrites,
  describeWriteCheck,
  recoveryPointSeconds,
  splitAtNewestRestored,
  splitAtTarget,
  targetInsideLoad,
} from "../../../scripts/sandbox/drill/writeCheck";

/** Write n sent at 1000 + 30n ms and acknowledged 5 ms later. */
const write = (n: number): AckedWrite => ({
  seq: n,
  key: String(n),
  value: `v${n}`,
  sentAt: 1000 + 30 * n,
  ackedAt: 1005 + 30 * n,
});
const WRITES = [0, 1, 2, 3, 4, 5].map(write);
const back = (...ns: number[]) => ns.map((n) => ({ key: String(n), value: `v${n}` }));

describe("splitAtTarget", () => {
  test("a target in the quiet gap after write 2: 0-2 expected, 3-5 forbidden, none undecided", () => {
    // write 2 acknowledged at 1065, write 3 sent at 1090
    const split = splitAtTarget(WRITES, 1070);
    expect(split.expected.map((w) => w.seq)).toEqual([0, 1, 2]);
    expect(split.forbidden.map((w) => w.seq)).toEqual([3, 4, 5]);
    expect(split.undecided).toEqual([]);
  });

  test("a target while write 3 is in flight: write 3 undecided", () => {
    const split = splitAtTarget(WRITES, 1092);
    expect(split.expected.map((w) => w.seq)).toEqual([0, 1, 2]);
    expect(split.undecided.map((w) => w.seq)).toEqual([3]);
    expect(split.forbidden.map((w) => w.seq)).toEqual([4, 5]);
  });

  test("the acknowledgement's millisecond is not enough: the commit may be up to 1 ms later", () => {
    expect(splitAtTarget(WRITES, 1065).undecided.map((w) => w.seq)).toEqual([2]);
    expect(splitAtTarget(WRITES, 1066).expected.map((w) => w.seq)).toEqual([0, 1, 2]);
  });
});

describe("checkWrites", () => {
  const split = splitAtTarget(WRITES, 1070);

  test("exactly the writes before the target: ok", () => {
    expect(checkWrites(split, back(0, 1, 2))).toEqual({
      ok: true,
      expected: 3,
      restored: 3,
      missing: [],
      changed: [],
      unexpected: [],
      undecided: 0,
    });
  });

  test("a write after the target is back: not ok, named", () => {
    const check = checkWrites(split, back(0, 1, 2, 4));
    expect(check.ok).toBe(false);
    expect(check.unexpected).toEqual(["4"]);
    expect(describeWriteCheck(check)).toBe(
      "3 of 3 expected writes back with their values; back but written after the target or never acknowledged: 4",
    );
  });

  test("a missing write and a changed value: not ok, each named", () => {
    const check = checkWrites(split, [...back(0), { key: "2", value: "other" }]);
    expect(check).toMatchObject({ ok: false, restored: 1, missing: ["1"], changed: ["2"] });
    expect(describeWriteCheck(check)).toBe(
      "1 of 3 expected writes back with their values; missing 1; changed 2",
    );
  });

  test("a key never written is unexpected, except the write in flight at the disaster", () => {
    expect(checkWrites(split, back(0, 1, 2, 6)).unexpected).toEqual(["6"]);
    expect(
      checkWrites(
        splitAtNewestRestored(WRITES, back(0, 1, 2, 3, 4, 5, 6)),
        back(0, 1, 2, 3, 4, 5, 6),
        "6",
      ).ok,
    ).toBe(true);
  });
});

describe("the newest state", () => {
  test("the restored writes are the first ones: the rest were lost, and that is ok", () => {
    const split = splitAtNewestRestored(WRITES, back(0, 1, 2, 3));
    expect(split.expected.map((w) => w.seq)).toEqual([0, 1, 2, 3]);
    expect(checkWrites(split, back(0, 1, 2, 3)).ok).toBe(true);
  });

  test("a hole is caught: write 2 missing while 3 is back", () => {
    const restored = back(0, 1, 3);
    const check = checkWrites(splitAtNewestRestored(WRITES, restored), restored);
    expect(check).toMatchObject({ ok: false, expected: 2, unexpected: ["3"] });
  });

  test("RPO: from the newest restored write's acknowledgement to the newest acknowledged", () => {
    const split = splitAtNewestRestored(WRITES, back(0, 1, 2, 3));
    // write 5 acknowledged at 1155, write 3 at 1095
    expect(recoveryPointSeconds(WRITES, split, 900)).toBeCloseTo(0.06, 6);
    expect(recoveryPointSeconds(WRITES, splitAtNewestRestored(WRITES, back()), 900)).toBeCloseTo(
      0.255,
      6,
    );
    expect(
      recoveryPointSeconds(WRITES, splitAtNewestRestored(WRITES, back(0, 1, 2, 3, 4, 5)), 900),
    ).toBe(0);
  });
});

describe("targetInsideLoad", () => {
  test("the middle of the gap after the middle restored write", () => {
    // 4 restored: the middle one is write 1 (acknowledged 1035), write 2 sent at 1060
    expect(targetInsideLoad(WRITES, 4)).toBe(Math.floor((1036 + 1060) / 2));
    const t = targetInsideLoad(WRITES, 4) as number;
    expect(splitAtTarget(WRITES, t)).toMatchObject({ undecided: [] });
    expect(splitAtTarget(WRITES, t).expected.map((w) => w.seq)).toEqual([0, 1]);
  });

  test("none with fewer than two restored writes, or without a 2 ms gap", () => {
    expect(targetInsideLoad(WRITES, 1)).toBeUndefined();
    const tight = [write(0), { ...write(1), sentAt: 1006 }];
    expect(targetInsideLoad(tight, 2)).toBeUndefined();
  });
});
