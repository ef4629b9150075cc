/** Reading wal-g's output: pure, with the cases that break naive code (64-bit numbers, Go times). */
import { expect, test } from "vitest";
import { segmentBefore } from "../../../scripts/lib/postgres/walSegments";
import {
  lsnText,
  parseBackupList,
  parseStorageListing,
  walgError,
} from "../../../scripts/lib/engines/walgOutput";

const MIB16 = 16 * 1024 * 1024;

test("backup-list --detail --json: system identifiers and LSNs keep every digit", () => {
  const [b] = parseBackupList(
    '[{"backup_name":"base_000000010000000000000003","wal_file_name":"000000010000000000000003","start_time":"2026-11-29T15:26:50.1Z","finish_time":"2026-11-29T15:26:52.9Z","start_lsn":50331688,"finish_lsn":50331976,"system_identifier":7713615322654807461,"uncompressed_size":22960470,"compressed_size":3051231,"user_data":{"rows.anchors":"12"}}]',
  );
  expect(b.system_identifier).toBe("7713615322654807461");
  expect(b.finish_lsn).toBe("50331976");
  expect(parseBackupList("")).toEqual([]);
  expect(() => parseBackupList("No backups found")).toThrow(
    "wal-g backup-list --json printed something that is not JSON",
  );
});

test("LSNs as PostgreSQL writes them, and the segment holding a backup's last byte", () => {
  expect(lsnText("50331976")).toBe("0/3000148");
  expect(lsnText(0x1_0000_0028)).toBe("1/28");
  // A backup that stops exactly on a segment boundary needs only the segment before it.
  expect(segmentBefore("00000001", 0x3000000n, MIB16)).toBe("000000010000000000000002");
  expect(segmentBefore("00000001", "0/3000148", MIB16)).toBe("000000010000000000000003");
  // Across a log boundary: 256 segments of 16 MiB per log.
  expect(segmentBefore("00000002", 0x1_0000_0001n, MIB16)).toBe("000000020000000100000000");
});

test("st ls: objects with size and Go's time (nanoseconds, offset), folders skipped", () => {
  const out = [
    "type size    last modified                                 name",
    "dir  0       0001-01-01 00:00:00 +0000 UTC                 basebackups_005/",
    "obj  2345678 2026-11-29 15:26:52.123456789 +0000 UTC       000000010000000000000003.lz4",
    "obj  0       2026-11-29 15:27:00 +0200 EET                 000000010000000000000004.lz4",
  ].join("\n");
  expect(parseStorageListing(out)).toEqual([
    {
      name: "000000010000000000000003.lz4",
      bytes: 2345678,
      modified: new Date("2026-11-29T15:26:52.123Z"),
    },
    { name: "000000010000000000000004.lz4", bytes: 0, modified: new Date("2026-11-29T13:27:00Z") },
  ]);
});

test("st ls in a versioned bucket: only the current version of each object is listed, with its size", () => {
  const out = [
    "type size    last modified                                 name",
    "obj  2345678 2026-11-29 15:26:52.123456 +0000 UTC          000000010000000000000003.lz4 a1b2c3 LATEST",
    "obj  0       2026-11-29 15:30:00 +0000 UTC                 000000010000000000000004.lz4 d4e5f6 LATEST",
    "obj  2345000 2026-11-29 15:27:00 +0000 UTC                 000000010000000000000004.lz4 0a0b0c ",
    "obj  2345111 2026-11-29 15:28:00 +0000 UTC                 000000010000000000000005.lz4 1a1b1c ",
  ].join("\n");
  expect(parseStorageListing(out)).toEqual([
    {
      name: "000000010000000000000003.lz4",
      bytes: 2345678,
      modified: new Date("2026-11-29T15:26:52.123Z"),
    },
    // The current version is the empty one a restore would read, not the older full one
    { name: "000000010000000000000004.lz4", bytes: 0, modified: new Date("2026-11-29T15:30:00Z") },
    // 000000010000000000000005 has no current version (a name listed only with older ones)
  ]);
});

test("a wal-g failure names its command and its own error line, without the log's timestamp", () => {
  const error = walgError(["--config", "/etc/x.json", "backup-push", "/var/lib/pg"], {
    code: 1,
    stdout: "",
    stderr:
      "INFO: 2026/11/29 15:00:00.000001 Selecting the latest backup...\nERROR: 2026/11/29 15:00:01.123456 connect: connection refused\n",
  });
  expect(error.message).toBe("wal-g backup-push exited with code 1: connect: connection refused");
  expect(error.hint).toContain("run 'wal-g --config /etc/x.json backup-push /var/lib/pg'");
});
