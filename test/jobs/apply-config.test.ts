/**
 * apply-config against a real PostgreSQL 15 and Redis (started from the rendered fragments), run
 * as a process the way the install document runs it. A restart is told apart from a reload by the
 * postmaster's start time and Redis's run_id.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { postgresConf } from "../../infra/content/host/postgresConf";
import { redisConf } from "../../infra/content/host/redisConf";
import { account } from "../../scripts/lib/job/accounts";
import { runChecked } from "../../scripts/lib/job/exec";
import { acquireLock } from "../../scripts/lib/job/lock";
import {
  INCLUDE_COMMENT,
  includeOf,
  overridesAfter,
  parseRedisConf,
  runtimeSettings,
  splitRedisArgs,
  withInclude,
} from "../../scripts/jobs/apply-config/redisConfFile";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { readMetrics } from "../host/support/aws";
import { messages, runJobProcess, type JobRun } from "../host/support/jobs";
import { redisCommand } from "../host/support/redis";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("redis.conf as Redis reads it", () => {
  test.each([
    ["save 900 1", ["save", "900", "1"]],
    ['save ""', ["save", ""]],
    ["  dir   /var/lib/redis  ", ["dir", "/var/lib/redis"]],
    ['requirepass "a b\\"c"', ["requirepass", 'a b"c']],
    ["rename-command CONFIG 'x\\'y'", ["rename-command", "CONFIG", "x'y"]],
    ['logfile "\\x41\\n"', ["logfile", "A\n"]],
  ])("splits %j into %j", (line, args) => {
    expect(splitRedisArgs(line)).toEqual(args);
  });

  test.each([['save "900 1'], ["dir '/a'b"]])("refuses unbalanced quotes in %j", (line) => {
    expect(() => splitRedisArgs(line, 7)).toThrow("line 7: unbalanced quotes");
  });

  test('save lines accumulate after save "", other settings keep their last line, include has no value', () => {
    const directives = parseRedisConf(
      [
        "# comment",
        "SAVE 3600 1",
        'save ""',
        "save 900 1",
        "save 300 10 60 10000",
        "appendonly no",
        "include /etc/redis/other.conf",
        "appendonly YES",
      ].join("\n"),
    );
    expect(directives.map((d) => [d.name, d.line])).toEqual([
      ["save", 2],
      ["save", 3],
      ["save", 4],
      ["save", 5],
      ["appendonly", 6],
      ["include", 7],
      ["appendonly", 8],
    ]);
    expect(Object.fromEntries(runtimeSettings(directives))).toEqual({
      save: "900 1 300 10 60 10000",
      appendonly: "YES",
    });
    expect(Object.fromEntries(runtimeSettings(parseRedisConf('save 60 1\nsave ""\n')))).toEqual({
      save: "",
    });
  });

  test("finds the include that reads a file, exactly or by wildcard, and what overrides it", () => {
    const text = [
      "include /etc/redis/stellar-insights-backup.conf",
      "save 3600 1",
      "include /etc/redis/conf.d/*.conf",
      "maxmemory 1gb",
      "dbfilename other.rdb",
    ].join("\n");
    const directives = parseRedisConf(text);
    expect(includeOf(directives, "/etc/redis/stellar-insights-backup.conf")?.line).toBe(1);
    expect(includeOf(directives, "/etc/redis/conf.d/backup.conf")?.line).toBe(3);
    expect(includeOf(directives, "/etc/redis/conf.d/sub/backup.conf")).toBeUndefined();
    expect(includeOf(directives, "/etc/redis/missing.conf")).toBeUndefined();
    const names = new Set(["save", "dir", "dbfilename"]);
    const first = includeOf(directives, "/etc/redis/stellar-insights-backup.conf")!;
    expect(overridesAfter(directives, first, names).map((d) => d.line)).toEqual([2, 5]);
  });

  test.each([
    ["port 6379\n", "port 6379\n"],
    ["port 6379", "port 6379\n"],
    ["", ""],
  ])("appends the include as the last line of %j", (text, kept) => {
    expect(withInclude(text, "/etc/redis/x.conf")).toBe(
      `${kept}${INCLUDE_COMMENT}\ninclude /etc/redis/x.conf\n`,
    );
  });
});

describe("apply-config on a running PostgreSQL and Redis", () => {
  let sb: Sandbox;
  let pg: Client;
  let pgFragment: string;
  let redisFragment: string;
  let redisMainConf: string;
  let pgMainConf: string;

  const run = () => runJobProcess("apply-config", sb.env);
  const pgValue = async (sql: string) =>
    String((await pg.query<{ value: unknown }>(`SELECT (${sql})::text AS value`)).rows[0].value);
  const startTime = () => pgValue("pg_postmaster_start_time()");
  const runId = async () =>
    /run_id:(\w+)/.exec(String(await redisCommand(sb, ["INFO", "server"])))?.[1];
  const redisConfig = async (name: string) => {
    const reply = await redisCommand(sb, ["CONFIG", "GET", name]);
    if (Array.isArray(reply)) return String(reply[1]);
    return String(
      reply instanceof Map ? reply.get(name) : (reply as Record<string, unknown>)[name],
    );
  };
  const restarts = (r: JobRun, service: string) =>
    messages(r).filter((m) => m === `restarting ${service}`).length;
  const expectOk = (r: JobRun) => {
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  };

  async function connectPg(): Promise<Client> {
    const c = sb.hostConfig.postgres.connection;
    const client = new Client({ host: c.host, port: c.port, user: c.user, database: c.database });
    client.on("error", () => undefined);
    await client.connect();
    return client;
  }

  beforeAll(async () => {
    sb = await startSandbox({ hostId: "apply-host", seed: false });
    pg = await connectPg();
    pgFragment = sb.hostConfig.postgres.managedConfigFile;
    redisFragment = sb.hostConfig.redis.managedConfigFile;
    redisMainConf = join(sb.dir, "etc", "redis", "redis.conf");
    pgMainConf = join(sb.hostConfig.postgres.pgData, "postgresql.conf");
  });
  afterAll(async () => {
    await pg?.end().catch(() => undefined);
    await sb?.stop();
  });

  test("a host installed as the stack renders it: nothing changes, nothing restarts, no metrics", async () => {
    const started = await startTime();
    const id = await runId();

    const result = await run();

    expectOk(result);
    expect(messages(result)).toEqual(
      expect.arrayContaining([
        "PostgreSQL already runs the managed settings: nothing changed, no restart",
        "Redis already runs the managed settings: nothing changed, no restart",
      ]),
    );
    expect(result.stdout).toContain("apply-config: PostgreSQL unchanged; Redis unchanged");
    expect(await startTime()).toBe(started);
    expect(await runId()).toBe(id);
    // A host step: no metrics, no run record for the health check.
    expect(await readMetrics(sb)).toEqual([]);
    expect(existsSync(join(sb.hostConfig.paths.stateDir, "runs", "apply-config.json"))).toBe(false);
  });

  test("a reload-only change (archive_timeout) is applied by reload, without a restart", async () => {
    // Given the stack now renders a 30 s archive timeout
    writeFileSync(
      pgFragment,
      postgresConf({
        ...sb.hostConfig,
        postgres: { ...sb.hostConfig.postgres, archiveTimeoutSeconds: 30 },
      }),
    );
    const started = await startTime();

    const result = await run();

    expectOk(result);
    expect(await pgValue("current_setting('archive_timeout')")).toBe("30s");
    expect(await startTime()).toBe(started);
    expect(restarts(result, "PostgreSQL")).toBe(0);
    expect(result.logs.find((l) => l.msg === "reload applied")?.fields).toEqual({
      changed: [{ name: "archive_timeout", from: "10 s", to: "30 s" }],
    });
    expect(result.stdout).toContain("PostgreSQL applied live: archive_timeout");
  });

  test("a start-only change (wal_level) restarts PostgreSQL exactly once, names it, and is live; the next run is a no-op", async () => {
    writeFileSync(
      pgFragment,
      readFileSync(pgFragment, "utf8").replace("wal_level = replica", "wal_level = logical"),
    );
    const started = await startTime();

    const result = await run();

    expectOk(result);
    expect(restarts(result, "PostgreSQL")).toBe(1);
    const why = result.logs.find((l) =>
      l.msg.startsWith("managed settings take effect only at start"),
    );
    expect(why?.level).toBe("warn");
    expect(why?.fields?.settings).toEqual([
      { name: "wal_level", running: "replica", configured: "logical" },
    ]);
    await pg.end();
    pg = await connectPg();
    const restarted = await startTime();
    expect(restarted).not.toBe(started);
    expect(await pgValue("current_setting('wal_level')")).toBe("logical");
    expect(await pgValue("(SELECT count(*) FROM pg_settings WHERE pending_restart)")).toBe("0");

    const again = await run();

    expectOk(again);
    expect(restarts(again, "PostgreSQL")).toBe(0);
    expect(messages(again)).toContain(
      "PostgreSQL already runs the managed settings: nothing changed, no restart",
    );
    expect(await startTime()).toBe(restarted);
  }, 60_000);

  test("a later line that overrides a managed setting fails the run and names the line", async () => {
    await pg.query("ALTER SYSTEM SET archive_timeout = '5min'");
    try {
      const result = await run();

      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /PostgreSQL reads the managed fragment, but later lines override it: \S+\/postgresql\.auto\.conf:\d+ sets archive_timeout = '5min' after the fragment's '30s'/,
      );
      expect(await pgValue("current_setting('archive_timeout')")).toBe("30s");
    } finally {
      await pg.query("ALTER SYSTEM RESET archive_timeout");
    }
  });

  test("a value PostgreSQL refuses fails the run before anything is reloaded", async () => {
    const original = readFileSync(pgFragment, "utf8");
    writeFileSync(pgFragment, original.replace("archive_timeout = 30s", "archive_timeout = soon"));
    const loaded = await pgValue("pg_conf_load_time()");
    try {
      const result = await run();

      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `PostgreSQL's config files have errors, so nothing was reloaded: ${escapeRegExp(pgFragment)}:\\d+ \\(archive_timeout\\): setting could not be applied\\.`,
        ),
      );
      expect(await pgValue("pg_conf_load_time()")).toBe(loaded);
      expect(await pgValue("current_setting('archive_timeout')")).toBe("30s");
    } finally {
      writeFileSync(pgFragment, original);
    }
  });

  test("Redis save points change at runtime: same server, CONFIG GET shows them", async () => {
    writeFileSync(redisFragment, redisConf(sb.hostConfig).replace("save 60 10000", "save 120 500"));
    const id = await runId();

    const result = await run();

    expectOk(result);
    expect(await redisConfig("save")).toBe("900 1 300 10 120 500");
    expect(await runId()).toBe(id);
    expect(restarts(result, "Redis")).toBe(0);
    expect(
      result.logs.find((l) => l.msg === "applied without a restart (CONFIG SET)")?.fields,
    ).toEqual({
      changed: [{ name: "save", from: "900 1 300 10 60 10000", to: "900 1 300 10 120 500" }],
    });
  });

  test("a second run with the same files changes nothing and restarts nothing", async () => {
    const started = await startTime();
    const id = await runId();
    const files = [pgMainConf, redisMainConf, pgFragment, redisFragment];
    const before = files.map((f) => readFileSync(f));
    const etcRedis = readdirSync(dirname(redisMainConf)).sort();

    const result = await run();

    expectOk(result);
    expect(result.stdout).toContain("apply-config: PostgreSQL unchanged; Redis unchanged");
    expect(restarts(result, "PostgreSQL") + restarts(result, "Redis")).toBe(0);
    expect(await startTime()).toBe(started);
    expect(await runId()).toBe(id);
    files.forEach((f, i) => expect(readFileSync(f).equals(before[i]), f).toBe(true));
    expect(readdirSync(dirname(redisMainConf)).sort()).toEqual(etcRedis);
  });

  test("a redis.conf without the include gets it appended, the original kept aside, Redis not restarted", async () => {
    // Given a main redis.conf that does not include the fragment
    const withoutInclude = readFileSync(redisMainConf, "utf8")
      .split("\n")
      .filter((l) => !l.startsWith("include "))
      .join("\n");
    // owned and readable as on Debian (redis:redis 0640)
    const redisUser = account("redis");
    writeFileSync(redisMainConf, withoutInclude);
    chmodSync(redisMainConf, 0o640);
    chownSync(redisMainConf, redisUser.uid, redisUser.gid);
    const id = await runId();

    const result = await run();

    expectOk(result);
    expect(readFileSync(redisMainConf, "utf8")).toBe(
      `${withoutInclude}${INCLUDE_COMMENT}\ninclude ${redisFragment}\n`,
    );
    for (const file of [redisMainConf]) {
      expect(statSync(file).mode & 0o777).toBe(0o640);
      expect([statSync(file).uid, statSync(file).gid]).toEqual([redisUser.uid, redisUser.gid]);
    }
    const added = result.logs.find((l) => l.msg.startsWith("added an include"));
    const aside = String(added?.fields?.originalKeptAt);
    expect(aside).toMatch(/redis\.conf\.before-stellar-include\.\d{8}T\d{6}Z$/);
    expect(readFileSync(aside, "utf8")).toBe(withoutInclude);
    expect(statSync(aside).mode & 0o777).toBe(0o640);
    expect([statSync(aside).uid, statSync(aside).gid]).toEqual([redisUser.uid, redisUser.gid]);
    expect(readdirSync(dirname(redisMainConf)).filter((n) => n.includes(".partial"))).toEqual([]);
    expect(await runId()).toBe(id);

    // And the next run finds it and adds nothing
    const again = await run();
    expectOk(again);
    expect(messages(again)).toContain("Redis's config file includes the managed fragment");
    expect(readFileSync(redisMainConf, "utf8").split(`include ${redisFragment}`)).toHaveLength(2);
  });

  test("a setting Redis cannot change live (rdbchecksum) waits for a running redis-backup, then restarts Redis once with the data kept", async () => {
    writeFileSync(
      redisFragment,
      readFileSync(redisFragment, "utf8").replace("rdbchecksum yes", "rdbchecksum no"),
    );
    await redisCommand(sb, ["SET", "survives:restart", "yes"]);
    const id = await runId();

    // While redis-backup runs, nothing is restarted
    const backupLock = await acquireLock(sb.hostConfig.paths.lockDir, "redis-backup");
    let refused: JobRun;
    try {
      refused = await run();
    } finally {
      await backupLock.release();
    }
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `Redis needs a restart for rdbchecksum, but redis-backup is running (pid ${process.pid}`,
    );
    expect(await runId()).toBe(id);
    expect(await redisConfig("rdbchecksum")).toBe("yes");

    // Once it has finished, the restart happens
    const result = await run();

    expectOk(result);
    expect(restarts(result, "Redis")).toBe(1);
    expect(
      result.logs.find((l) => l.msg.startsWith("Redis cannot change these settings while running"))
        ?.fields,
    ).toEqual({ settings: [{ name: "rdbchecksum", running: "yes", configured: "no" }] });
    expect(await runId()).not.toBe(id);
    expect(await redisConfig("rdbchecksum")).toBe("no");
    expect(await redisCommand(sb, ["GET", "survives:restart"])).toBe("yes");
    expect(existsSync(join(sb.hostConfig.paths.lockDir, "redis-backup.lock"))).toBe(false);
  });

  test("a new Redis dir is refused rather than restarting Redis into an empty dataset", async () => {
    const original = readFileSync(redisFragment, "utf8");
    const elsewhere = join(sb.dir, "backups");
    writeFileSync(
      redisFragment,
      original.replace(`dir ${sb.hostConfig.redis.dir}`, `dir ${elsewhere}`),
    );
    const id = await runId();
    try {
      const result = await run();

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `Redis cannot change dir ('${sb.hostConfig.redis.dir}' -> '${elsewhere}') while running, and a restart would start it from an empty dataset at the new place; nothing was restarted`,
      );
      expect(await runId()).toBe(id);
      expect(await redisConfig("dir")).toBe(sb.hostConfig.redis.dir);
    } finally {
      writeFileSync(redisFragment, original);
    }
  });

  test("a PostgreSQL that does not read the fragment fails the run with the line to add, and nothing is reloaded", async () => {
    const original = readFileSync(pgMainConf, "utf8");
    writeFileSync(
      pgMainConf,
      original
        .split("\n")
        .filter((l) => !l.startsWith("include "))
        .join("\n"),
    );
    const loaded = await pgValue("pg_conf_load_time()");
    const started = await startTime();
    try {
      const result = await run();

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `PostgreSQL does not read the managed fragment ${pgFragment}: no include in ${pgMainConf} reaches it`,
      );
      expect(result.stderr).toContain(
        `Next: add the line "include '${pgFragment}'" at the end of ${pgMainConf}`,
      );
      expect(await pgValue("pg_conf_load_time()")).toBe(loaded);
      expect(await startTime()).toBe(started);
    } finally {
      writeFileSync(pgMainConf, original);
    }
  });

  test("a service that is not running is left alone", async () => {
    const redisService = sb.hostConfig.redis.service;
    const before = readFileSync(redisMainConf);
    await runChecked(redisService.stop);
    try {
      const result = await run();

      expectOk(result);
      expect(messages(result)).toContain(
        "Redis is not running: nothing to apply now; its config file is checked for the include when it runs",
      );
      expect(result.stdout).toContain("Redis not running (applies at start)");
      expect(readFileSync(redisMainConf).equals(before)).toBe(true);
    } finally {
      await runChecked(redisService.start);
    }
  });
});
