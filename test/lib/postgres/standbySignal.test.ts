/** A restored data directory never keeps standby.signal, whatever the backup held. */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { removeStandbySignal, STANDBY_SIGNAL } from "../../../scripts/lib/postgres/standbySignal";

test("removes standby.signal and says so; a directory without one is left as it is", async () => {
  const pgData = mkdtempSync(join(tmpdir(), "standby-signal-"));
  writeFileSync(join(pgData, STANDBY_SIGNAL), "");
  writeFileSync(join(pgData, "recovery.signal"), "");
  expect(await removeStandbySignal(pgData)).toBe(true);
  expect(existsSync(join(pgData, STANDBY_SIGNAL))).toBe(false);
  expect(existsSync(join(pgData, "recovery.signal"))).toBe(true);
  expect(await removeStandbySignal(pgData)).toBe(false);
});
