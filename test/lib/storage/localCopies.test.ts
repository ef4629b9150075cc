/**
 * Pruning of the local copies on a real file system, with the clock injected (`now`): past the
 * row's local retention by the stamp in their names, and never down to no copy of a thing,
 * whatever the clock says.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { overrideHostConfig, renderHostConfig } from "../../../infra/content/host/hostConfigFile";
import { LOCAL_ARCHIVE_PATTERN } from "../../../scripts/lib/configs/configArchive";
import { pruneLocalCopies } from "../../../scripts/lib/storage/localCopies";
import { createLogger } from "../../../scripts/lib/job/log";
import { LOCAL_DUMP_PATTERN } from "../../../scripts/lib/redis/dumps";
import { prodStackConfig } from "../../host/support/prodStack";

const DAY_MS = 86_400_000;
const log = createLogger("test", () => undefined);
const at = (iso: string) => new Date(iso);

describe("pruneLocalCopies", () => {
  let root: string;
  let config: HostConfig;
  const files = (row: string) => readdirSync(join(root, row)).sort();
  /** A copy named `name`, last written at `written` (its mtime). */
  const copy = (row: string, name: string, written: Date) => {
    writeFileSync(join(root, row, name), name);
    utimesSync(join(root, row, name), written, written);
  };
  const prune = (now: Date, keep?: string[]) =>
    Promise.all([
      pruneLocalCopies(config, "configs", LOCAL_ARCHIVE_PATTERN, log, {
        now,
        ...(keep ? { keep } : {}),
      }),
      pruneLocalCopies(config, "redis", LOCAL_DUMP_PATTERN, log, { now }),
    ]).then((lists) => lists.flat().sort());

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "prune-test-"));
    mkdirSync(join(root, "configs"));
    mkdirSync(join(root, "redis"));
    config = overrideHostConfig(renderHostConfig({ stack: "prod", config: prodStackConfig() }), {
      local: { root, retentionDays: { redis: 7, configs: 30 } },
    });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test("past retention by the stamp, a copy with a newer one beside it goes; the newest and younger ones stay", async () => {
    copy("redis", "dump-20261120T020000Z.rdb", at("2026-11-20T02:00:00Z"));
    copy("redis", "dump-20261204T020000Z.rdb", at("2026-12-04T02:00:00Z"));
    copy("redis", "dump-20261205T020000Z.rdb", at("2026-12-05T02:00:00Z"));
    copy("redis", "unrelated.txt", at("2020-01-01T00:00:00Z"));

    expect(await prune(at("2026-12-10T02:00:00Z"))).toEqual(["dump-20261120T020000Z.rdb"]);
    expect(files("redis")).toEqual([
      "dump-20261204T020000Z.rdb",
      "dump-20261205T020000Z.rdb",
      "unrelated.txt",
    ]);
  });

  test("a clock 400 days ahead removes no set's or row's only or newest copy", async () => {
    // Given copies written on the real clock: two of set db, one of set app, two dumps
    copy("configs", "db-configs-20261130T020000Z-0123456789ab.tar.gz", at("2026-11-30T02:00:00Z"));
    copy("configs", "db-configs-20261201T020000Z-ba9876543210.tar.gz", at("2026-12-01T02:00:00Z"));
    copy("configs", "app-configs-20261101T020000Z-00000000000a.tar.gz", at("2026-11-01T02:00:00Z"));
    copy("redis", "dump-20261130T020000Z.rdb", at("2026-11-30T02:00:00Z"));
    copy("redis", "dump-20261201T020000Z.rdb", at("2026-12-01T02:00:00Z"));

    // When the clock reads 400 days later
    const removed = await prune(new Date(at("2026-12-01T02:00:00Z").getTime() + 400 * DAY_MS));

    // Then only the copies with a newer one of the same thing beside them are gone
    expect(removed).toEqual([
      "db-configs-20261130T020000Z-0123456789ab.tar.gz",
      "dump-20261130T020000Z.rdb",
    ]);
    expect(files("configs")).toEqual([
      "app-configs-20261101T020000Z-00000000000a.tar.gz",
      "db-configs-20261201T020000Z-ba9876543210.tar.gz",
    ]);
    expect(files("redis")).toEqual(["dump-20261201T020000Z.rdb"]);
  });

  test("the copy written last stays though a copy made while the clock ran fast has a greater stamp", async () => {
    // Given a dump stamped a year ahead (written first) and the one written last, on the real clock
    copy("redis", "dump-20271201T020000Z.rdb", at("2026-11-20T02:00:00Z"));
    copy("redis", "dump-20261121T020000Z.rdb", at("2026-11-21T02:00:00Z"));

    // When pruned past the real one's retention, both stay: each is the newest by one clock
    expect(await prune(at("2026-12-10T02:00:00Z"))).toEqual([]);
    expect(files("redis")).toEqual(["dump-20261121T020000Z.rdb", "dump-20271201T020000Z.rdb"]);
  });

  test("the job's current copy stays though it is older than another copy of its set", async () => {
    // Given set db changed to B and back to A: A's copy is the current content again
    copy("configs", "db-configs-20261001T020000Z-aaaaaaaaaaaa.tar.gz", at("2026-10-01T02:00:00Z"));
    copy("configs", "db-configs-20261002T020000Z-bbbbbbbbbbbb.tar.gz", at("2026-10-02T02:00:00Z"));

    // When pruned past both copies' retention with A named as the current copy
    const removed = await prune(at("2026-12-10T02:00:00Z"), [
      "db-configs-20261001T020000Z-aaaaaaaaaaaa.tar.gz",
    ]);

    // Then A stays (current) and B stays (newest)
    expect(removed).toEqual([]);
    expect(files("configs")).toHaveLength(2);
  });
});
