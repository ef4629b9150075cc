/** The host config contract: what the stack renders for prod, and what the validator refuses. */
import { describe, expect, test } from "vitest";
import {
  HOST_CONFIG_SCHEMA_VERSION,
  parseHostConfig,
  type HostConfig,
} from "../../../infra/catalog/hostConfig";
import {
  hostConfigFile,
  mergeOverrides,
  overrideHostConfig,
  renderHostConfig,
} from "../../../infra/content/host/hostConfigFile";
import type { StackConfig } from "../../../infra/config/stackConfig";
import { prodStackConfig } from "../../host/support/prodStack";

const prod = () => renderHostConfig({ stack: "prod", config: prodStackConfig() });

describe("renderHostConfig for the prod stack", () => {
  test("carries the runbook's values and the catalog's prefixes and retention", () => {
    const h = prod();
    expect([h.schemaVersion, h.stack, h.region, h.bucket, h.metricNamespace]).toEqual([
      4,
      "prod",
      "us-east-1",
      "stellar-insights-backups",
      "StellarInsights/Backup",
    ]);
    // The runbook's plan: a full backup every day.
    expect(h.postgres.backupPlan).toEqual({ fullEveryDays: 1 });
    expect(h.s3Prefixes).toEqual({
      postgres: "postgres/",
      wal: "postgres/",
      configs: "configs/",
      logs: "logs/",
      redis: "redis/",
    });
    expect(h.retentionDays).toEqual({
      postgres: 30,
      wal: 30,
      configs: 90,
      logs: 30,
      snapshots: 28,
      redis: 30,
    });
    expect(h.local).toEqual({
      root: "/var/backups",
      retentionDays: { postgres: 30, configs: 90, redis: 30 },
      maxDiskUsagePercent: 80,
    });
    expect(h.postgres.pgData).toBe("/var/lib/postgresql/14/main");
    expect(h.postgres.check).toEqual({
      database: "stellar_insights",
      tables: ["anchors", "corridors"],
    });
    expect(h.postgres.archiveTimeoutSeconds).toBe(10);
    expect(h.postgres.socketDir).toBe("/var/run/postgresql");
    expect(h.postgres.engine).toEqual({
      kind: "pgbackrest",
      binary: "/usr/bin/pgbackrest",
      configFile: "/etc/stellar-insights-backup/postgres-engine.conf",
      settings: { stanza: "main" },
      osUser: "postgres",
      spoolDir: "/var/spool/stellar-insights-backup/postgres-engine",
      logDir: "/var/log/stellar-insights-backup/postgres-engine",
      lockDir: "/var/spool/stellar-insights-backup/postgres-engine/lock",
      compression: { type: "zst", level: 1 },
      credentials: "instance-role",
    });
    expect(h.postgres.service.stop).toEqual(["systemctl", "stop", "postgresql@14-main"]);
    expect([h.redis.dir, h.redis.dbfilename, h.redis.appendonly, h.redis.owner]).toEqual([
      "/var/lib/redis",
      "dump.rdb",
      false,
      { user: "redis", group: "redis" },
    ]);
    expect(h.configSets.app.paths).toEqual([
      "/opt/stellar-insights/backend/.env",
      "/opt/stellar-insights/frontend/.env.local",
      "/etc/nginx/sites-available/stellar-insights",
    ]);
    expect(h.configSets.db.paths).toEqual([
      "/etc/postgresql/14/main/postgresql.conf",
      "/etc/postgresql/14/main/pg_hba.conf",
      "/etc/redis/redis.conf",
    ]);
    expect(h.paths).toEqual({
      stateDir: "/var/lib/stellar-insights-backup",
      lockDir: "/run/stellar-insights-backup",
    });
  });

  test("names a standby to back up from only when the stack reads one, in the primary's socket directory", () => {
    expect(prod().postgres.backupFrom).toBeUndefined();
    const standby = { pgData: "/var/lib/postgresql/14/standby", port: 5433 };
    const config: StackConfig = {
      ...prodStackConfig(),
      postgresBackupFrom: {
        source: "standby",
        standby,
        maxReplayLagMb: 64,
        whenStandbyUnavailable: "fail",
      },
    };
    const h = renderHostConfig({ stack: "prod", config });
    expect(h.postgres.backupFrom).toEqual({
      standby: { ...standby, socketDir: h.postgres.socketDir },
      maxReplayLagMb: 64,
      whenStandbyUnavailable: "fail",
    });
    expect(h.postgres.socketDir).toBe("/var/run/postgresql");
    const text = hostConfigFile({ stack: "prod", config });
    expect(parseHostConfig(JSON.parse(text))).toEqual({ ok: true, config: h });
  });

  test("has no sandbox-only or secret fields", () => {
    const text = hostConfigFile({ stack: "prod", config: prodStackConfig() });
    expect(prod().awsEndpointUrl).toBeUndefined();
    expect(prod().hostId).toBeUndefined();
    expect(text).not.toMatch(/password|secret|token|awsEndpointUrl|devops@/i);
  });

  test("the file is key-sorted JSON with a final newline, and parses back to the same config", () => {
    const text = hostConfigFile({ stack: "prod", config: prodStackConfig() });
    expect(text.endsWith("}\n")).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual([...Object.keys(JSON.parse(text))].sort());
    expect(parseHostConfig(JSON.parse(text))).toEqual({ ok: true, config: prod() });
  });

  test("the KMS key ARN, once known, is carried for uploads", () => {
    const arn = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-0000-1111-2222-333344445555";
    expect(
      renderHostConfig({ stack: "prod", config: prodStackConfig(), kmsKeyArn: arn }).kmsKeyArn,
    ).toBe(arn);
  });

  test("overrides merge objects and replace lists, and a bad override fails at render time", () => {
    const h = renderHostConfig({
      stack: "prod",
      config: prodStackConfig(),
      overrides: { redis: { port: 6380 }, logs: { paths: ["/srv/*.log"] } },
    });
    expect([h.redis.port, h.redis.dir, h.logs.paths]).toEqual([
      6380,
      "/var/lib/redis",
      ["/srv/*.log"],
    ]);
    expect(() =>
      renderHostConfig({
        stack: "prod",
        config: prodStackConfig(),
        overrides: { redis: { dir: "/var/lib/redis; rm -rf /" } },
      }),
    ).toThrow(
      "host config for stack 'prod' has 1 problem(s):\n  - redis.dir: \"/var/lib/redis; rm -rf /\" must hold only letters, digits and . _ @ + = : , / - (no spaces, quotes, globs, shell metacharacters or other characters)",
    );
  });
});

describe("parseHostConfig", () => {
  const mutate = (overrides: unknown): unknown => mergeOverrides(prod(), overrides);

  test.each<[string, unknown, string[]]>([
    ["a file that is not an object", [], ["(file): must be a JSON object, got a list"]],
    [
      "another schema version",
      mutate({ schemaVersion: 1 }),
      ["schemaVersion: must be 4, got 1: install the jobs and host config of the same release"],
    ],
    [
      "an unknown field",
      mutate({ colour: "blue" }),
      [
        "colour: is not a known field; allowed: schemaVersion, stack, region, bucket, metricNamespace, s3Prefixes, retentionDays, local, postgres, redis, configSets, logs, paths, awsEndpointUrl, kmsKeyArn, clientSideEncryption, hostId, replica",
      ],
    ],
    [
      "client-side encryption naming a key id for its alias and a relative parameter",
      mutate({
        clientSideEncryption: { kmsKeyAlias: "1234abcd", cipherPassParameter: "pg-pass" },
      }),
      [
        'clientSideEncryption.kmsKeyAlias: "1234abcd" must be a KMS alias such as alias/stellar-insights-backups',
        "clientSideEncryption.cipherPassParameter: must be an SSM parameter path such as /stellar-insights-backups/postgres-repository-cipher-pass: a leading '/', letters, digits, '.', '-', '_' and at most 15 levels, not under /aws or /ssm",
      ],
    ],
    [
      "two unknown fields in one section",
      mutate({ paths: { tmpDir: "/tmp", cacheDir: "/var/cache" } }),
      [
        "paths.tmpDir: is not a known field; allowed: stateDir, lockDir",
        "paths.cacheDir: is not a known field; allowed: stateDir, lockDir",
      ],
    ],
    [
      "an engine setting against the engine's own rule",
      mutate({ postgres: { engine: { settings: { stanza: "my main" } } } }),
      ["postgres.engine.settings.stanza: \"my main\" must be letters, digits, '_' or '-'"],
    ],
    [
      "an engine setting the engine does not have",
      mutate({ postgres: { engine: { settings: { repository: "one" } } } }),
      ["postgres.engine.settings.repository: is not one of pgBackRest's settings; allowed: stanza"],
    ],
    [
      "an engine's setting under another engine",
      mutate({
        postgres: {
          engine: {
            kind: "wal-g",
            configFile: "/etc/e.json",
            compression: { type: "lz4", level: 0 },
          },
        },
      }),
      ["postgres.engine.settings.stanza: is not one of wal-g's settings; allowed: none"],
    ],
    [
      "an empty string (one message, not also the pattern's)",
      mutate({ bucket: "" }),
      ['bucket: must be a non-empty string, got ""'],
    ],
    [
      "a section that is not an object",
      mutate({ logs: ["/var/log/*.log"] }),
      ["logs: must be an object, got a list"],
    ],
    [
      "config sets given as a list",
      mutate({ configSets: [] }),
      ["configSets: must be an object, got a list"],
    ],
    [
      "a bad region",
      mutate({ region: "moon-1" }),
      ['region: "moon-1" must be an AWS region such as us-east-1'],
    ],
    [
      "a host id with a slash",
      mutate({ hostId: "db/1" }),
      ["hostId: \"db/1\" must be letters, digits, '.', '_' or '-' (it becomes part of S3 keys)"],
    ],
    [
      "an endpoint that is not a URL",
      mutate({ awsEndpointUrl: "localhost:5000" }),
      ['awsEndpointUrl: "localhost:5000" must be an http(s)://host:port URL'],
    ],
    [
      "a port out of range",
      mutate({ redis: { port: 70000 } }),
      ["redis.port: must be a whole number from 1 to 65535, got 70000"],
    ],
    [
      "a relative path",
      mutate({ postgres: { pgData: "data" } }),
      ["postgres.pgData: \"data\" must be an absolute path (starting with '/')"],
    ],
    [
      "path traversal",
      mutate({ local: { root: "/var/backups/../../etc" } }),
      [
        "local.root: \"/var/backups/../../etc\" must not contain '..': write the directory it means (through a symlink '..' means another one)",
      ],
    ],
    [
      "a threshold over 100",
      mutate({ local: { maxDiskUsagePercent: 101 } }),
      ["local.maxDiskUsagePercent: must be a whole number from 1 to 100, got 101"],
    ],
    [
      "zero retention",
      mutate({ retentionDays: { logs: 0 } }),
      ["retentionDays.logs: must be a whole number from 1 to 36500, got 0"],
    ],
    [
      "an empty service command",
      mutate({ redis: { service: { stop: [] } } }),
      ["redis.service.stop: must not be empty"],
    ],
    [
      "a command with a relative path",
      mutate({ redis: { service: { stop: ["./stop.sh"] } } }),
      ['redis.service.stop[0]: "./stop.sh" must be a program name or an absolute path'],
    ],
    [
      "a log glob with a space",
      mutate({ logs: { paths: ["/var/log/my app/*.log"] } }),
      [
        "logs.paths[0]: \"/var/log/my app/*.log\" must be an absolute path or glob ('*', '?') without spaces or shell metacharacters",
      ],
    ],
    [
      "a config set name with capitals",
      mutate({ configSets: { Web: { paths: ["/etc/x"], restart: [] } } }),
      [
        "configSets.Web: set names must be lower-case letters, digits and '-' (they become S3 key parts)",
      ],
    ],
    [
      "a config set listing a file twice",
      mutate({ configSets: { app: { paths: ["/etc/x", "/etc/x"] } } }),
      ["configSets.app.paths: lists a file twice"],
    ],
    [
      "a dump name without .rdb",
      mutate({ redis: { dbfilename: "dump" } }),
      ['redis.dbfilename: "dump" must be a file name ending in .rdb'],
    ],
    [
      "a prefix without a slash",
      mutate({ s3Prefixes: { redis: "redis" } }),
      ["s3Prefixes.redis: \"redis\" must be one lower-case path segment ending in '/'"],
    ],
    [
      "a missing section",
      (() => {
        const { paths, ...rest } = prod() as HostConfig & Record<string, unknown>;
        void paths;
        return rest;
      })(),
      ["paths: is missing"],
    ],
  ])("refuses %s", (_name, value, problems) => {
    const result = parseHostConfig(value);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(
      problems,
    );
  });

  test("reports every problem at once", () => {
    const result = parseHostConfig(
      mutate({ region: "x", redis: { port: 0 }, local: { maxDiskUsagePercent: 0 } }),
    );
    expect(result.ok ? 0 : result.problems.length).toBe(3);
  });

  test("accepts the sandbox-only fields", () => {
    const result = parseHostConfig(
      mutate({
        awsEndpointUrl: "http://127.0.0.1:5000",
        hostId: "sandbox-host",
        schemaVersion: HOST_CONFIG_SCHEMA_VERSION,
      }),
    );
    expect(result.ok).toBe(true);
  });
});

describe("an override that switches the PostgreSQL engine", () => {
  test("takes the new engine's own settings and config file, in the same directory", () => {
    const base = renderHostConfig({ stack: "prod", config: prodStackConfig() });
    expect(base.postgres.engine.settings).toEqual({ stanza: "main" });
    const switched = overrideHostConfig(base, { postgres: { engine: { kind: "wal-g" } } });
    expect(switched.postgres.engine.settings).toEqual({});
    expect(switched.postgres.engine.configFile).toBe(
      "/etc/stellar-insights-backup/postgres-engine.json",
    );
    // Settings given with the switch still apply on top.
    const back = overrideHostConfig(switched, {
      postgres: { engine: { kind: "pgbackrest", settings: { stanza: "prod" } } },
    });
    expect(back.postgres.engine.settings).toEqual({ stanza: "prod" });
    expect(back.postgres.engine.configFile).toBe(
      "/etc/stellar-insights-backup/postgres-engine.conf",
    );
  });
});
