/** The bytes a traced engine read from files, from strace's record of its read calls. */
import { describe, expect, test } from "vitest";
import { readsUnder, straceFileReads } from "../../scripts/sandbox/bench/straceReads";

const PRIMARY = "/tmp/stellar-sandbox-a/pgdata";
const STANDBY = "/tmp/stellar-sandbox-a/standby/pgdata";

describe("strace's read calls", () => {
  test("each call's returned bytes are summed per file, across processes", () => {
    const trace = [
      `4101  read(5<${STANDBY}/base/5/1259>, ""..., 1048576) = 1048576`,
      `4102  read(7<${STANDBY}/base/5/1259>, ""..., 1048576) = 8192`,
      `4101  pread64(6<${PRIMARY}/global/pg_control>, ""..., 8192, 0) = 8192`,
      `4101  preadv(6<${PRIMARY}/postgresql.auto.conf>, [{iov_base=""..., iov_len=4096}], 1, 0) = 88`,
      `4101  preadv2(6<${PRIMARY}/pg_hba.conf>, [{iov_base=""..., iov_len=4096}], 1, 0, 0) = 100`,
      `4101  readv(6<${PRIMARY}/pg_ident.conf>, [{iov_base=""..., iov_len=4096}], 1) = 12`,
    ].join("\n");
    expect(straceFileReads(trace)).toEqual(
      new Map([
        [`${STANDBY}/base/5/1259`, 1_056_768],
        [`${PRIMARY}/global/pg_control`, 8192],
        [`${PRIMARY}/postgresql.auto.conf`, 88],
        [`${PRIMARY}/pg_hba.conf`, 100],
        [`${PRIMARY}/pg_ident.conf`, 12],
      ]),
    );
  });

  test("sendfile reads its second descriptor, copy_file_range its first", () => {
    const trace = [
      `9  sendfile(4<socket:[77]>, 5<${PRIMARY}/base/1/112>, NULL, 65536) = 16384`,
      `9  copy_file_range(5<${STANDBY}/base/1/113>, NULL, 6</tmp/out>, NULL, 4096, 0) = 4096`,
    ].join("\n");
    expect(straceFileReads(trace)).toEqual(
      new Map([
        [`${PRIMARY}/base/1/112`, 16384],
        [`${STANDBY}/base/1/113`, 4096],
      ]),
    );
  });

  test("a call split across lines by another process's counts once, for the file its first line names", () => {
    const trace = [
      `11  read(5<${STANDBY}/base/5/2608>,  <unfinished ...>`,
      `12  read(3<${PRIMARY}/global/pg_control>, ""..., 8192) = 8192`,
      `12  sendfile(4<socket:[9]>, 6<${PRIMARY}/PG_VERSION>, NULL, 3 <unfinished ...>`,
      `11  <... read resumed>""..., 1048576) = 65536`,
      `12  <... sendfile resumed>) = 3`,
    ].join("\n");
    expect(straceFileReads(trace)).toEqual(
      new Map([
        [`${STANDBY}/base/5/2608`, 65536],
        [`${PRIMARY}/global/pg_control`, 8192],
        [`${PRIMARY}/PG_VERSION`, 3],
      ]),
    );
  });

  test("errors, end of file, killed calls, pipes, sockets and other lines count nothing", () => {
    const trace = [
      `3  read(5<${PRIMARY}/base/1/1>, 0x7ffd5c3b, 8192) = -1 EAGAIN (Resource temporarily unavailable)`,
      `3  read(5<${PRIMARY}/base/1/1>, "", 8192) = 0`,
      `3  read(5<${PRIMARY}/base/1/2>,  <unfinished ...>`,
      `3  <... read resumed> <unfinished ...>) = ?`,
      '3  read(8<pipe:[4411]>, ""..., 4096) = 120',
      '3  read(9<TCP:[127.0.0.1:4312->127.0.0.1:9000]>, ""..., 16384) = 5',
      "3  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---",
      "3  +++ exited with 0 +++",
      "",
      "garbage",
    ].join("\n");
    expect(straceFileReads(trace)).toEqual(new Map());
  });

  test("a trace of one process has no pid column", () => {
    expect(straceFileReads(`read(3<${PRIMARY}/PG_VERSION>, ""..., 4096) = 3`)).toEqual(
      new Map([[`${PRIMARY}/PG_VERSION`, 3]]),
    );
  });
});

describe("reads under a directory", () => {
  const reads = new Map([
    [`${PRIMARY}/global/pg_control`, 8192],
    [`${PRIMARY}/postgresql.auto.conf`, 88],
    [`${PRIMARY}2/base/1/1`, 1_000_000],
    [`${STANDBY}/base/5/1259`, 1_056_768],
    ["/etc/pgbackrest.conf", 500],
  ]);

  test("sums the files under it, named relative to it, largest first", () => {
    expect(readsUnder(reads, PRIMARY)).toEqual({
      bytes: 8280,
      files: [
        { path: "global/pg_control", bytes: 8192 },
        { path: "postgresql.auto.conf", bytes: 88 },
      ],
    });
    expect(readsUnder(reads, `${STANDBY}/`).bytes).toBe(1_056_768);
  });

  test("a sibling whose name starts with the directory's is not under it, nor is a parent's file", () => {
    expect(readsUnder(reads, PRIMARY).files.map((f) => f.path)).not.toContain("2/base/1/1");
    expect(readsUnder(reads, "/tmp/stellar-sandbox-b").bytes).toBe(0);
  });
});
