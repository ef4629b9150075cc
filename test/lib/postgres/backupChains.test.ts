/**
 * A backup's chain, and the rules that read it: a differential or incremental is restorable, and
 * counts as the newest backup, only with every backup it builds on listed and good.
 */
import { expect, test } from "vitest";
import type { EngineBackup } from "../../../scripts/lib/engines";
import { postgresBackupAge } from "../../../scripts/lib/postgres/backupAge";
import { backupChain } from "../../../scripts/lib/postgres/backupChains";

function backup(name: string, stoppedAt: string, fields: Partial<EngineBackup> = {}): EngineBackup {
  return {
    name,
    kind: "full",
    repository: "s3",
    startedAt: new Date(stoppedAt),
    stoppedAt: new Date(stoppedAt),
    walStart: "000000010000000000000002",
    walStop: "000000010000000000000002",
    databaseBytes: 1000,
    storedBytes: 100,
    annotations: {},
    ok: true,
    ...fields,
  };
}

const FULL = backup("F1", "2026-11-29T02:10:00Z");
const DIFF = backup("F1_D1", "2026-11-30T02:10:00Z", { kind: "differential", prior: "F1" });
const INCR = backup("F1_D1_I1", "2026-12-01T02:10:00Z", { kind: "incremental", prior: "F1_D1" });
const WHERE = "the s3 repository";

test("an incremental's chain runs down to its full, oldest first", () => {
  expect(backupChain(INCR, [FULL, DIFF, INCR], WHERE)).toEqual({
    ok: true,
    chain: [FULL, DIFF, INCR],
  });
  expect(backupChain(FULL, [FULL], WHERE)).toEqual({ ok: true, chain: [FULL] });
});

test("a chain with a backup gone or damaged is broken, naming the backup and the one it needs", () => {
  expect(backupChain(INCR, [FULL, INCR], WHERE)).toEqual({
    ok: false,
    problem:
      "backup F1_D1_I1 (incremental) builds on F1_D1, which is not in the s3 repository: it cannot be restored without it",
  });
  expect(backupChain(INCR, [{ ...FULL, ok: false }, DIFF, INCR], WHERE)).toEqual({
    ok: false,
    problem:
      "backup F1_D1_I1 (incremental) builds on F1, which is damaged: it would restore damaged pages",
  });
});

test("the newest backup counted for the age rule is the newest with a whole chain", () => {
  const now = new Date("2026-12-01T03:00:00Z");
  expect(postgresBackupAge([FULL, DIFF, INCR], now, 3 * 86_400).newest?.name).toBe("F1_D1_I1");
  expect(postgresBackupAge([DIFF, INCR], now, 3 * 86_400).newest).toBeUndefined();
  expect(postgresBackupAge([FULL, INCR], now, 3 * 86_400).newest?.name).toBe("F1");
});
