/** WAL segment arithmetic and the verify report reader: pure, with the cases that break naive code. */
import { expect, test } from "vitest";
import {
  engineError,
  newBackupLabel,
  pageChecksumWarnings,
  parseVerifyOutput,
  verifyProblems,
} from "../../scripts/lib/engines/pgbackrest";
import { walProblems } from "../../scripts/lib/engines/walHistory";
import type { EngineBackup } from "../../scripts/lib/engines";
import {
  gapsBetween,
  parseSegment,
  rangesOf,
  segmentBefore,
  segmentName,
  withoutSegments,
} from "../../scripts/lib/postgres/walSegments";

/** PostgreSQL's default `wal_segment_size`, and the smallest (`initdb --wal-segsize=1`). */
const MIB16 = 16 * 1024 * 1024;
const MIB1 = 1024 * 1024;

test("segments count across a log boundary (256 per log at 16 MiB) and round-trip by name", () => {
  const last = parseSegment("0000000100000000000000FF", MIB16)!;
  const next = segmentName({ timeline: 1, index: last.index + 1n }, MIB16);
  expect(next).toBe("000000010000000100000000");
  expect(parseSegment("00000002000000A300000010", MIB16)).toEqual({
    timeline: 2,
    index: 0xa3n * 256n + 0x10n,
  });
  expect(parseSegment("000000010000000000000003.00000028.backup", MIB16)).toBeUndefined();
  // 64 MiB segments: 64 per log
  expect(segmentName({ timeline: 1, index: 64n }, 64 * 1024 * 1024)).toBe(
    "000000010000000100000000",
  );
});

test.each([
  [
    "no gap",
    [["000000010000000000000001", "000000010000000000000008"]],
    "000000010000000000000002",
    "000000010000000000000007",
    [],
  ],
  [
    "two gaps, one across the log boundary",
    [
      ["0000000100000000000000FD", "0000000100000000000000FE"],
      ["000000010000000100000001", "000000010000000100000003"],
    ],
    "0000000100000000000000FD",
    "000000010000000100000005",
    [
      { first: "0000000100000000000000FF", last: "000000010000000100000000", count: 2 },
      { first: "000000010000000100000004", last: "000000010000000100000005", count: 2 },
    ],
  ],
  [
    "another timeline's ranges cover nothing",
    [["000000020000000000000001", "000000020000000000000009"]],
    "000000010000000000000003",
    "000000010000000000000003",
    [{ first: "000000010000000000000003", last: "000000010000000000000003", count: 1 }],
  ],
] as const)("gapsBetween: %s", (_name, ranges, from, to, gaps) => {
  expect(
    gapsBetween(
      ranges.map(([start, stop]) => ({ start, stop })),
      from,
      to,
      MIB16,
    ),
  ).toEqual(gaps);
});

test("rangesOf groups contiguous segments per timeline, whatever their order", () => {
  expect(
    rangesOf(
      [
        "000000010000000000000003",
        "000000010000000000000001",
        "000000010000000000000002",
        "0000000100000000000000FF",
        "000000010000000100000000",
        "000000020000000100000001",
        "000000010000000000000002",
        "",
      ],
      MIB16,
    ),
  ).toEqual([
    { start: "000000010000000000000001", stop: "000000010000000000000003" },
    { start: "0000000100000000000000FF", stop: "000000010000000100000000" },
    { start: "000000020000000100000001", stop: "000000020000000100000001" },
  ]);
});

const backup = (name: string, walStart: string, walStop: string): EngineBackup => ({
  name,
  kind: "full",
  repository: "s3",
  startedAt: new Date(0),
  stoppedAt: new Date(0),
  walStart,
  walStop,
  databaseBytes: 0,
  storedBytes: 0,
  annotations: {},
  ok: true,
});

test("walProblems: a backup's own missing segment makes it unrestorable; a later gap cuts PITR", () => {
  const ranges = [
    { start: "000000010000000000000001", stop: "000000010000000000000003" },
    { start: "000000010000000000000005", stop: "000000010000000000000009" },
  ];
  expect(
    walProblems(
      [backup("B1", "000000010000000000000002", "000000010000000000000002")],
      ranges,
      MIB16,
    ),
  ).toEqual([
    {
      subject: "000000010000000000000004",
      message:
        "WAL segment 000000010000000000000004 is missing: point-in-time recovery cannot replay past 000000010000000000000004",
    },
  ]);
  expect(
    walProblems(
      [backup("B2", "000000010000000000000004", "000000010000000000000005")],
      ranges,
      MIB16,
    ),
  ).toEqual([
    {
      subject: "000000010000000000000004",
      message:
        "WAL segment 000000010000000000000004 is missing: backup B2 cannot be made consistent and cannot be restored",
    },
  ]);
});

test("parseVerifyOutput reads 2.45's detail lines: damaged files, invalid backups, WAL ranges, overall status", () => {
  const out = [
    "2026-11-29 12:35:45.457 P02   INFO: invalid checksum '20261129-123321F/pg_data/base/5/16396.zst'",
    "2026-11-29 12:35:49.887 P00 DETAIL: archiveId: 15-1, wal start: 000000010000000000000001, wal stop: 000000010000000000000003",
    "2026-11-29 12:35:49.887 P00 DETAIL: archiveId: 15-1, wal start: 000000010000000000000005, wal stop: 000000010000000000000005",
    "2026-11-29 12:35:49.887 P00   INFO: stanza: main",
    "                                    status: error",
    "                                      backup: 20261129-123321F, status: invalid, total files checked: 977, total valid files: 976",
  ].join("\n");
  const parsed = parseVerifyOutput(out);
  expect(verifyProblems(parsed, ["20261129-123321F"], MIB16)).toEqual({
    problems: [
      {
        subject: "20261129-123321F/pg_data/base/5/16396.zst",
        message: "invalid checksum 20261129-123321F/pg_data/base/5/16396.zst",
      },
      { subject: "20261129-123321F", message: "backup 20261129-123321F is invalid" },
    ],
    walRanges: [
      { start: "000000010000000000000001", stop: "000000010000000000000003" },
      { start: "000000010000000000000005", stop: "000000010000000000000005" },
    ],
  });
  expect(
    parseVerifyOutput(
      "status: ok\n  backup: 20261129-123321F, status: valid, total files checked: 3",
    ).statusOk,
  ).toBe(true);
});

/** 2.45's verify of a repository with one WAL object emptied and one cut short, after an expire (real output). */
const DAMAGED_AFTER_EXPIRE = [
  "2026-12-07 03:19:26.224 P01   INFO: invalid checksum '15-1/0000000100000000/00000001000000000000000D-8ab56007c7aeae3c1822f1d54633132e3f0a2481.zst'",
  "2026-12-07 03:19:26.935 P00 DETAIL: unable to open missing file '/postgres/sandbox-host/backup/main/20261207-031622F/backup.manifest' for read",
  "2026-12-07 03:19:26.963 P00 DETAIL: manifest missing for '20261207-031622F' - backup may have expired",
  "2026-12-07 03:19:26.963 P00 DETAIL: archiveId: 15-1, wal start: 000000010000000000000002, wal stop: 000000010000000000000012",
  "2026-12-07 03:19:41.356 P01   INFO: invalid result 15-1/0000000100000000/00000001000000000000000E-0430ad3418ef6a86373f35362cb53d309e1a9c18.zst: [95] raised from local-1 protocol: unable to flush",
  "                                    [CryptoError] on retry after 0ms",
  "                                    [CryptoError] on retry after 15000ms",
  "2026-12-07 03:19:51.994 P00   INFO: stanza: main",
  "                                    status: error",
  "                                      archiveId: 15-1, total WAL checked: 9, total valid WAL: 7",
  "                                        missing: 0, checksum invalid: 1, size invalid: 0, other: 1",
  "                                      backup: 20261207-031622F, status: manifest missing, total files checked: 0, total valid files: 0",
  "                                      backup: 20261207-031635F, status: valid, total files checked: 1272, total valid files: 1272",
  "                                        missing: 0, checksum invalid: 0, size invalid: 0, other: 0",
].join("\n");

test("verify names every WAL file it could not read, and the WAL ranges end before each", () => {
  const { problems, walRanges } = verifyProblems(
    parseVerifyOutput(DAMAGED_AFTER_EXPIRE),
    ["20261207-031635F"],
    MIB16,
  );
  expect(problems).toEqual([
    {
      subject:
        "15-1/0000000100000000/00000001000000000000000D-8ab56007c7aeae3c1822f1d54633132e3f0a2481.zst",
      message:
        "invalid checksum 15-1/0000000100000000/00000001000000000000000D-8ab56007c7aeae3c1822f1d54633132e3f0a2481.zst",
    },
    {
      subject:
        "15-1/0000000100000000/00000001000000000000000E-0430ad3418ef6a86373f35362cb53d309e1a9c18.zst",
      message:
        "15-1/0000000100000000/00000001000000000000000E-0430ad3418ef6a86373f35362cb53d309e1a9c18.zst cannot be read: [95] raised from local-1 protocol: unable to flush",
    },
  ]);
  expect(walRanges).toEqual([
    { start: "000000010000000000000002", stop: "00000001000000000000000C" },
    { start: "00000001000000000000000F", stop: "000000010000000000000012" },
  ]);
});

test("an expired backup's 'manifest missing' is not damage; a status error verify names nothing for is, in its words", () => {
  // Given only the expired backup's status is not valid (the WAL all verified)
  const expiredOnly = DAMAGED_AFTER_EXPIRE.split("\n")
    .filter((l) => !/invalid (checksum|result)|CryptoError/.test(l))
    .join("\n")
    .replace("total valid WAL: 7", "total valid WAL: 9")
    .replace(
      "checksum invalid: 1, size invalid: 0, other: 1",
      "checksum invalid: 0, size invalid: 0, other: 0",
    );
  expect(
    verifyProblems(parseVerifyOutput(expiredOnly), ["20261207-031635F"], MIB16).problems,
  ).toEqual([]);
  // But the same status for a backup info still lists is damage
  expect(
    verifyProblems(parseVerifyOutput(expiredOnly), ["20261207-031622F", "20261207-031635F"], MIB16)
      .problems,
  ).toEqual([
    { subject: "20261207-031622F", message: "backup 20261207-031622F is manifest missing" },
  ]);
  // And a status error with WAL counted invalid but no file named fails with verify's own summary
  const unnamed = DAMAGED_AFTER_EXPIRE.split("\n")
    .filter((l) => !/invalid (checksum|result)|CryptoError/.test(l))
    .join("\n");
  expect(verifyProblems(parseVerifyOutput(unnamed), ["20261207-031635F"], MIB16).problems).toEqual([
    {
      subject: "verify",
      message:
        "pgBackRest verify reported status: error without naming a file: archiveId: 15-1, total WAL checked: 9, total valid WAL: 7 (missing: 0, checksum invalid: 1, size invalid: 0, other: 1); backup 20261207-031622F: manifest missing",
    },
  ]);
});

test("withoutSegments cuts ranges at unreadable segments", () => {
  expect(
    withoutSegments(
      [{ start: "000000010000000000000001", stop: "000000010000000000000005" }],
      ["000000010000000000000001", "000000010000000000000003", "000000020000000000000004"],
      MIB16,
    ),
  ).toEqual([
    { start: "000000010000000000000002", stop: "000000010000000000000002" },
    { start: "000000010000000000000004", stop: "000000010000000000000005" },
  ]);
});

test("a backup's page checksum warnings name each relation file and its blocks", () => {
  const out = [
    "2026-12-07 03:50:00.000 P01   WARN: invalid page checksums found in file /var/lib/postgresql/15/main/base/16384/16385 at pages 0, 3-5",
    "2026-12-07 03:50:00.000 P01   WARN: invalid page checksum found in file /var/lib/postgresql/15/main/base/16384/16390 at page 7",
  ].join("\n");
  expect(pageChecksumWarnings(out, "/var/lib/postgresql/15/main")).toEqual([
    "base/16384/16385 at page(s) 0, 3-5",
    "base/16384/16390 at page(s) 7",
  ]);
});

test("the new backup's label is read from backup's info-level output, and none is made up", () => {
  const out = [
    "2026-12-07 20:32:36.239 P00   INFO: execute non-exclusive backup start: backup begins after the requested immediate checkpoint completes",
    "2026-12-07 20:32:38.407 P00   INFO: new backup label = 20261207-203235F_20261207-203400I",
    "2026-12-07 20:32:38.618 P00   INFO: incr backup size = 8.2MB, file total = 1275",
  ].join("\n");
  expect(newBackupLabel(out)).toBe("20261207-203235F_20261207-203400I");
  expect(newBackupLabel("P00   WARN: some warning\n")).toBeUndefined();
});

test("engine errors keep the causes pgBackRest prints on the lines after its message, and its hints", () => {
  const error = engineError(["backup", "--repo=1"], {
    code: 55,
    stdout: "",
    stderr: [
      "ERROR: [055]: unable to load info file '/postgres/h/backup/main/backup.info' or '/postgres/h/backup/main/backup.info.copy':",
      "       FileMissingError: unable to open missing file '/postgres/h/backup/main/backup.info' for read",
      "       HINT: backup.info cannot be opened and is required to perform a backup.",
      "       HINT: has a stanza-create been performed?",
      "2026-11-29 14:00:00.000 P00   INFO: backup command end: aborted with exception [055]",
    ].join("\n"),
  });
  expect(error.message).toBe(
    "pgBackRest backup failed: [055] unable to load info file '/postgres/h/backup/main/backup.info' or '/postgres/h/backup/main/backup.info.copy': FileMissingError: unable to open missing file '/postgres/h/backup/main/backup.info' for read (backup.info cannot be opened and is required to perform a backup. has a stanza-create been performed?)",
  );
  expect(error.hint).toContain(
    "repository is missing (never created, or deleted): run the install document",
  );
});

test("a missing engine config is told apart from a missing repository: both are [055]", () => {
  const configFile = "/etc/stellar-insights-backup/postgres-engine.conf";
  const missingConfig = engineError(
    ["info", "--output=json"],
    {
      code: 55,
      stdout: "",
      stderr: `ERROR: [055]: unable to open missing file '${configFile}' for read\n`,
    },
    configFile,
  );
  expect(missingConfig.message).toBe(
    `pgBackRest info failed: [055] unable to open missing file '${configFile}' for read`,
  );
  expect(missingConfig.hint).toContain("this host's engine config is missing");
  expect(missingConfig.hint).not.toContain("repository is missing");
  const missingRepository = engineError(
    ["info"],
    {
      code: 55,
      stdout: "",
      stderr:
        "ERROR: [055]: unable to load info file '/postgres/h/backup/main/backup.info' or '/postgres/h/backup/main/backup.info.copy':\n",
    },
    configFile,
  );
  expect(missingRepository.hint).toContain("repository is missing");
});

test("1 MiB segments (initdb --wal-segsize=1): 4096 a log, so 0/FFF to 1/000 is no gap and a missing one is", () => {
  const ranges = [{ start: "000000010000000000000FFE", stop: "000000010000000100000002" }];
  // Contiguous across the log boundary with 1 MiB segments...
  expect(rangesOf(["000000010000000000000FFF", "000000010000000100000000"], MIB1)).toEqual([
    { start: "000000010000000000000FFF", stop: "000000010000000100000000" },
  ]);
  const b = backup("B", "000000010000000000000FFE", "000000010000000000000FFF");
  expect(walProblems([b], ranges, MIB1)).toEqual([]);
  // ... and a segment really missing there is seen, by its 1 MiB name
  const broken = [
    { start: "000000010000000000000FFE", stop: "000000010000000000000FFF" },
    { start: "000000010000000100000001", stop: "000000010000000100000002" },
  ];
  expect(walProblems([b], broken, MIB1).map((p) => p.subject)).toEqual([
    "000000010000000100000000",
  ]);
  // The segment holding a record is named by the same size
  expect(segmentBefore("00000001", "0/5000100", MIB1)).toBe("000000010000000000000050");
  expect(segmentBefore("00000001", "0/5000100", MIB16)).toBe("000000010000000000000005");
});
