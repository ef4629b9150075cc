/**
 * The drill's proof of where pg-backup read the data files: the job's own output (its `backup
 * started` line and its summary), never the host config that asked. A run that fell back to the
 * primary, read another standby or said nothing fails the backup step.
 */
import { describe, expect, test } from "vitest";
import { logLine } from "../../../scripts/lib/job/log";
import { readFromOf } from "../../../scripts/sandbox/drill/postgresHalf";

const STANDBY = { pgData: "/tmp/sb/standby/pgdata", port: 5433, socketDir: "/tmp/sb/standby/run" };
const AT = new Date("2026-12-07T20:00:00.000Z");

/** pg-backup's stdout: its log lines, then the summary line the runner prints. */
function stdout(readFrom: string | undefined, note: string): string {
  const summary = `full backup 20261207-200935F in S3 (asked for with KIND=full), ${note}: 21.2 MiB of data, 2.1 MiB stored, 3 seconds; full 20261207-200940F in the local repository (2.1 MiB stored)`;
  return [
    logLine("pg-backup", "info", "backup started", readFrom ? { readFrom, kind: "full" } : {}, AT),
    logLine("pg-backup", "info", "backup complete", { repository: "s3" }, AT),
    logLine("pg-backup", "info", "finished", { seconds: 3, exitCode: 0, summary }, AT),
    summary,
    "",
  ].join("\n");
}

const FROM_STANDBY =
  "read from the standby at /tmp/sb/standby/run:5433 (0.0 MiB behind the primary)";

describe("readFromOf", () => {
  test("a backup read from the sandbox's standby: the summary's words", () => {
    expect(readFromOf(stdout("standby", FROM_STANDBY), "standby", STANDBY)).toBe(FROM_STANDBY);
  });

  test("a backup read from the primary when the primary was asked for", () => {
    expect(readFromOf(stdout("primary", "read from the primary"), "primary", undefined)).toBe(
      "read from the primary",
    );
  });

  test.each([
    [
      "fell back to the primary",
      stdout(
        "primary",
        "read from the primary, not the standby: the standby at /tmp/sb/standby/run:5433 does not answer",
      ),
    ],
    [
      "read another standby",
      stdout("standby", FROM_STANDBY.replace("/tmp/sb/standby/run:5433", "/tmp/other:5999")),
    ],
    ["logged no source", stdout(undefined, FROM_STANDBY)],
    [
      "printed no summary",
      logLine("pg-backup", "info", "backup started", { readFrom: "standby" }, AT),
    ],
  ])("the standby was asked for and pg-backup %s: the step fails, saying both", (_, out) => {
    expect(() => readFromOf(out, "standby", STANDBY)).toThrow(
      /^pg-backup was to read the data files from the standby at \/tmp\/sb\/standby\/run:5433 \(--backup-from standby\), but its log says readFrom /,
    );
  });

  test("the primary was asked for and pg-backup read a standby: the step fails", () => {
    expect(() => readFromOf(stdout("standby", FROM_STANDBY), "primary", undefined)).toThrow(
      'but its log says readFrom "standby"',
    );
  });
});
