/**
 * Which cluster a backup run reads, from the standby's verdict and the stack's fallback: the pure
 * part of standbyBackup.ts (the real standby is in test/engine/standbyBackup.test.ts).
 */
import { describe, expect, test } from "vitest";
import type { StandbyBackupSource } from "../../../infra/catalog/backupFrom";
import { JobError } from "../../../scripts/lib/job/errors";
import { chooseBackupSource } from "../../../scripts/lib/postgres/standbyBackup";

const standby = { pgData: "/srv/standby", port: 5433, socketDir: "/run/postgresql" };
const plan = (whenStandbyUnavailable: "primary" | "fail"): StandbyBackupSource => ({
  standby,
  maxReplayLagMb: 64,
  whenStandbyUnavailable,
});
const down = {
  usable: false,
  reason: "the standby at /run/postgresql:5433 does not answer",
} as const;

describe("chooseBackupSource", () => {
  test("no standby in the plan: the primary", () => {
    expect(chooseBackupSource(undefined, undefined)).toEqual({ note: "read from the primary" });
  });

  test("a usable standby is read, with its lag in MiB", () => {
    expect(chooseBackupSource(plan("fail"), { usable: true, lagBytes: 3 * 1024 * 1024 })).toEqual({
      standby,
      note: "read from the standby at /run/postgresql:5433 (3.0 MiB behind the primary)",
    });
  });

  test("an unusable standby under 'primary': the primary, with the reason as the fallback", () => {
    expect(chooseBackupSource(plan("primary"), down)).toEqual({
      note: `read from the primary, not the standby: ${down.reason}`,
      fallback: down.reason,
    });
  });

  test("an unusable standby under 'fail', or asked for with FROM=standby: refused, saying which rule", () => {
    for (const [from, required, rule] of [
      [plan("fail"), false, "postgres.backupFrom.whenStandbyUnavailable: fail"],
      [plan("primary"), true, "FROM=standby"],
    ] as const) {
      const refusal = (() => {
        try {
          chooseBackupSource(from, down, required);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(refusal).toBeInstanceOf(JobError);
      expect((refusal as JobError).message).toBe(
        `the backup must be read from the standby (${rule}), but ${down.reason}: nothing was backed up`,
      );
    }
  });
});
