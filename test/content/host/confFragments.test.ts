/** The managed postgresql.conf and redis.conf fragments, as whole text. */
import { describe, expect, test } from "vitest";
import { renderHostConfig } from "../../../infra/content/host/hostConfigFile";
import { postgresConf, postgresSettings } from "../../../infra/content/host/postgresConf";
import { redisConf } from "../../../infra/content/host/redisConf";
import { prodStackConfig } from "../../host/support/prodStack";

const prod = (overrides = {}) =>
  renderHostConfig({ stack: "prod", config: prodStackConfig(), overrides });

describe("postgresql.conf fragment", () => {
  test("prod: archiving through the stack's engine (pgBackRest) with its config file, 10 s timeout, replica WAL", () => {
    expect(postgresConf(prod())).toBe(
      [
        "# postgresql.conf fragment: WAL archiving for point-in-time recovery.",
        "# MANAGED by stellar-insights-backup (stack 'prod'): generated, installed and overwritten by the",
        "# stack's install document. Do not edit here; change the stack and deploy.",
        "",
        "# WAL must carry enough to replay changes onto a base backup (point-in-time recovery).",
        "wal_level = replica",
        "",
        "# Base backups taken while the database writes are only consistent with full-page images.",
        "full_page_writes = on",
        "",
        "# Every completed WAL segment goes to the archive command; a failure keeps the segment and retries.",
        "archive_mode = on",
        "",
        "# The engine reads bucket, this host's repository and region from its own config file; credentials come from the instance role.",
        "archive_command = '/usr/bin/pgbackrest --config=/etc/stellar-insights-backup/postgres-engine.conf --stanza=main archive-push %p'",
        "",
        "# A partly filled segment is archived after this long (the WAL row's RPO is 15 minutes).",
        "archive_timeout = 10s",
        "",
      ].join("\n"),
    );
  });

  test("says which settings need a restart and which a reload", () => {
    expect(postgresSettings(prod()).map((s) => `${s.name}:${s.applyBy}`)).toEqual([
      "wal_level:restart",
      "full_page_writes:reload",
      "archive_mode:restart",
      "archive_command:reload",
      "archive_timeout:reload",
    ]);
  });

  test("refuses an archive timeout longer than the WAL RPO", () => {
    expect(() => postgresConf(prod({ postgres: { archiveTimeoutSeconds: 901 } }))).toThrow(
      "postgres.archiveTimeoutSeconds (901) exceeds the WAL RPO of 15 minutes",
    );
    expect(postgresConf(prod({ postgres: { archiveTimeoutSeconds: 900 } }))).toContain(
      "\narchive_timeout = 900s\n",
    );
  });
});

describe("redis.conf fragment", () => {
  test("prod: exactly the runbook's save points, dump location, checksum, AOF off", () => {
    expect(redisConf(prod())).toBe(
      [
        "# redis.conf fragment: save points and dump location for backups.",
        "# MANAGED by stellar-insights-backup (stack 'prod'): generated, installed and overwritten by the",
        "# stack's install document. Do not edit here; change the stack and deploy.",
        "",
        "# Clears save points set earlier in redis.conf: the next lines are then the only ones.",
        'save ""',
        "",
        "# Runbook save point: dump after 900 s if at least 1 key(s) changed.",
        "save 900 1",
        "",
        "# Runbook save point: dump after 300 s if at least 10 key(s) changed.",
        "save 300 10",
        "",
        "# Runbook save point: dump after 60 s if at least 10000 key(s) changed.",
        "save 60 10000",
        "",
        "# Where the dump is written; redis-backup copies it from here and redis-restore puts it back.",
        "dir /var/lib/redis",
        "",
        "# The dump's file name.",
        "dbfilename dump.rdb",
        "",
        "# A checksum at the end of the dump lets redis-backup prove the copy is whole (redis-check-rdb).",
        "rdbchecksum yes",
        "",
        "# AOF off: the runbook relies on dumps, so at start Redis loads the dump.",
        "appendonly no",
        "",
      ].join("\n"),
    );
  });

  test("AOF on is one line and one comment apart", () => {
    const off = redisConf(prod()).split("\n");
    const on = redisConf(prod({ redis: { appendonly: true } })).split("\n");
    expect(on.filter((line, i) => line !== off[i])).toEqual([
      "# AOF on: at start Redis loads the AOF, not the dump; redis-restore turns it off while it loads a dump.",
      "appendonly yes",
    ]);
  });
});
