/**
 * Waits end by their own deadline on the monotonic clock, whatever the wall clock does.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { deadlineIn, waitFor } from "../../../scripts/lib/job/time";

describe("waitFor", () => {
  afterEach(() => vi.restoreAllMocks());

  test("ends at its deadline while the wall clock steps back a day at every poll", async () => {
    // Given a wall clock that a day is taken off at every poll (NTP or an operator stepping it)
    let offset = 0;
    const real = Date.now.bind(Date);
    vi.spyOn(Date, "now").mockImplementation(() => real() - offset);
    const check = async () => {
      offset += 86_400_000;
      return undefined;
    };

    // When waiting 300 ms for something that never comes
    const waited = waitFor(check, {
      timeoutMs: 300,
      intervalMs: 20,
      onTimeout: () => new Error("gave up"),
    });

    // Then the wait gives up with its own error
    await expect(waited).rejects.toThrow("gave up");
  }, 10_000);

  test("deadlineIn follows the clock it is given", () => {
    let now = 1_000;
    const deadline = deadlineIn(500, () => now);
    expect([deadline.passed(), deadline.leftMs()]).toEqual([false, 500]);
    now = 1_499;
    expect([deadline.passed(), deadline.leftMs()]).toEqual([false, 1]);
    now = 1_500;
    expect([deadline.passed(), deadline.leftMs()]).toEqual([true, 0]);
  });
});
