import { describe, expect, test } from "vitest";
import { BACKUP_TYPES, DEFAULT_SCHEDULES } from "../../infra/catalog";
import { formatProblems, OFFLINE_SECRET_PLACEHOLDER } from "../../infra/config/stackConfig";
import { validateStackConfig } from "../../infra/config/validate";
import { hidden } from "../../infra/catalog/schema/shownValue";

const REGION = "us-east-1";
const MINIMAL = { alertEmail: "devops@stellar-insights.com" } as const;
/** Schedules are simulated from here. */
const NOW = new Date("2026-01-01T12:00:00Z");

function problemsOf(raw: Record<string, string>, region: string | undefined = REGION) {
  const result = validateStackConfig(raw, region, { now: NOW });
  return result.ok ? [] : result.problems;
}

describe("a stack that sets only an alert target", () => {
  const result = validateStackConfig({ ...MINIMAL }, REGION);

  test("gets the runbook's values", () => {
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      region: REGION,
      bucketName: "stellar-insights-backups",
      retentionDays: { postgres: 30, wal: 30, configs: 90, logs: 30, snapshots: 28, redis: 30 },
      postgresBackstopDays: 60,
      schedules: DEFAULT_SCHEDULES,
      timezone: "UTC",
      pgMajorVersion: 14,
      pgData: "/var/lib/postgresql/14/main",
      localBackupRoot: "/var/backups",
      hostTarget: { tagKey: "stellar-insights:backup-role", tagValue: "database" },
      alertEmail: "devops@stellar-insights.com",
      metricNamespace: "StellarInsights/Backup",
    });
    expect(result.config.schedules.postgres).toBe("cron(0 2 * * ? *)");
  });

  test("no host roles until the stack lists its hosts", () => {
    if (!result.ok) throw new Error("expected a valid config");
    expect(result.config.hosts).toEqual({});
  });

  test("hosts come sorted, their restore sources sorted and deduplicated", () => {
    const listed = validateStackConfig(
      {
        ...MINIMAL,
        hosts: '{"staging":{"restoreFrom":["db-2","db-1","db-2"]},"db-1":{},"db-2":{}}',
      },
      REGION,
    );
    if (!listed.ok) throw new Error(JSON.stringify(listed.problems));
    expect(listed.config.hosts).toEqual({
      "db-1": { restoreFrom: [] },
      "db-2": { restoreFrom: [] },
      staging: { restoreFrom: ["db-1", "db-2"] },
    });
    expect(Object.keys(listed.config.hosts)).toEqual(["db-1", "db-2", "staging"]);
  });

  test("retention defaults are the catalog's", () => {
    if (!result.ok) throw new Error("expected a valid config");
    for (const row of Object.values(BACKUP_TYPES)) {
      expect(result.config.retentionDays[row.key]).toBe(row.retentionDays);
    }
  });
});

describe("every rule has a failing case with its exact message", () => {
  test.each<[string, Record<string, string>, string, unknown, string]>([
    [
      "retention below one day",
      { retentionDays: '{"logs":0}' },
      "retentionDays.logs",
      0,
      "must be a whole number of days from 1 to 36500",
    ],
    [
      "retention not an integer",
      { retentionDays: '{"configs":1.5}' },
      "retentionDays.configs",
      1.5,
      "must be a whole number of days from 1 to 36500",
    ],
    [
      "retention not a number",
      { retentionDays: '{"redis":"a month"}' },
      "retentionDays.redis",
      "a month",
      "must be a whole number of days from 1 to 36500",
    ],
    [
      "retention shorter than the row's RPO",
      { retentionDays: '{"snapshots":5}' },
      "retentionDays.snapshots",
      5,
      "is shorter than the row's RPO (7 days): the newest backup could expire before the next is taken",
    ],
    [
      "unknown catalog row in retention",
      { retentionDays: '{"mysql":30}' },
      "retentionDays.mysql",
      30,
      "unknown catalog row; allowed: postgres, wal, configs, logs, snapshots, redis",
    ],
    [
      "retention that is not a map",
      { retentionDays: "30" },
      "retentionDays",
      "30",
      "must be an object (a YAML map)",
    ],
    [
      "WAL kept shorter than base backups",
      { retentionDays: '{"wal":7}' },
      "retentionDays.wal",
      7,
      "must be at least retentionDays.postgres (30): a base backup cannot be restored without the WAL written while it was taken",
    ],
    [
      "bad cron expression",
      { schedules: '{"postgres":"0 2 * * *"}' },
      "schedules.postgres",
      "0 2 * * *",
      "is not a valid schedule expression: expected cron(...) or rate(...)",
    ],
    [
      "schedule slower than the RPO",
      { schedules: '{"postgres":"cron(0 2 ? * SUN *)"}' },
      "schedules.postgres",
      "cron(0 2 ? * SUN *)",
      "leaves 7 days between its runs of 2026-01-04 02:00 +00:00 and 2026-01-11 02:00 +00:00 (UTC), longer than the postgres RPO of 1 day",
    ],
    [
      "unknown schedule",
      { schedules: '{"nightly":"rate(1 day)"}' },
      "schedules.nightly",
      "rate(1 day)",
      "unknown schedule; allowed: postgres, configs, logs, redis, snapshots, verify, health, cleanup, restoreTest",
    ],
    [
      "schedule for the continuous WAL row",
      { schedules: '{"wal":"rate(1 hour)"}' },
      "schedules.wal",
      "rate(1 hour)",
      "unknown schedule ('wal' is continuous: archive_timeout sets its RPO); allowed: postgres, configs, logs, redis, snapshots, verify, health, cleanup, restoreTest",
    ],
    [
      "bucket name with capitals",
      { bucketName: "Stellar-Backups" },
      "bucketName",
      "Stellar-Backups",
      "must be DNS-compatible: lowercase letters, digits and hyphens, starting and ending with a letter or digit (no dots: they break TLS on virtual-hosted S3 addresses)",
    ],
    [
      "bucket name with dots",
      { bucketName: "stellar.backups" },
      "bucketName",
      "stellar.backups",
      "must be DNS-compatible: lowercase letters, digits and hyphens, starting and ending with a letter or digit (no dots: they break TLS on virtual-hosted S3 addresses)",
    ],
    [
      "bucket name too long for its log bucket",
      { bucketName: "b".repeat(52) },
      "bucketName",
      "b".repeat(52),
      "must be 3-51 characters (the log bucket appends '-access-logs')",
    ],
    [
      "reserved bucket prefix",
      { bucketName: "xn--backups" },
      "bucketName",
      "xn--backups",
      "must not start with 'xn--' or 'sthree-' nor end with '-s3alias' (reserved by S3)",
    ],
    [
      "malformed e-mail",
      { alertEmail: "devops-at-stellar" },
      "alertEmail",
      "devops-at-stellar",
      "must be an e-mail address such as devops@stellar-insights.com",
    ],
    [
      "plain-http paging endpoint",
      { alertHttpsEndpoint: "http://events.pagerduty.com/x" },
      "alertHttpsEndpoint",
      "http://events.pagerduty.com/x",
      "must be an https:// URL (the paging service's SNS endpoint)",
    ],
    [
      "unparsable paging endpoint",
      { alertHttpsEndpoint: "not a url" },
      "alertHttpsEndpoint",
      "not a url",
      "must be an https:// URL (the paging service's SNS endpoint)",
    ],
    [
      "unsupported PostgreSQL version",
      { pgMajorVersion: "9" },
      "pgMajorVersion",
      "9",
      "must be one of 12, 13, 14, 15, 16, 17 (PostgreSQL 12+ restores with recovery.signal)",
    ],
    [
      "PostgreSQL version not an integer",
      { pgMajorVersion: "14.2" },
      "pgMajorVersion",
      "14.2",
      "must be one of 12, 13, 14, 15, 16, 17 (PostgreSQL 12+ restores with recovery.signal)",
    ],
    [
      "relative pgData",
      { pgData: "var/lib/postgresql/14/main" },
      "pgData",
      "var/lib/postgresql/14/main",
      "must be an absolute path (starting with '/')",
    ],
    [
      "pgData with shell metacharacters",
      { pgData: "/var/lib/pg;rm -rf /" },
      "pgData",
      "/var/lib/pg;rm -rf /",
      "must hold only letters, digits and . _ @ + = : , / - (no spaces, quotes, globs, shell metacharacters or other characters)",
    ],
    [
      "empty host tag value",
      { hostTarget: '{"tagKey":"role","tagValue":""}' },
      "hostTarget.tagValue",
      "",
      "is empty: give it a value or remove the key",
    ],
    [
      "empty host tag key",
      { hostTarget: '{"tagKey":"  ","tagValue":"db"}' },
      "hostTarget.tagKey",
      "  ",
      "is empty: give it a value or remove the key",
    ],
    [
      "a host id that cannot be an S3 key segment",
      { hosts: '{"db 1":{}}' },
      "hosts.db 1",
      {},
      "must be a host id as in the S3 keys (the host config's hostId, else the short host name): letters, digits, '.', '_' or '-', at most 63",
    ],
    [
      "a wildcard restore source",
      { hosts: '{"staging":{"restoreFrom":["db-*"]}}' },
      "hosts.staging.restoreFrom[0]",
      "db-*",
      "must be a host id as in the S3 keys (the host config's hostId, else the short host name): letters, digits, '.', '_' or '-', at most 63",
    ],
    [
      "a host among its own restore sources",
      { hosts: '{"db-1":{"restoreFrom":["db-1"]}}' },
      "hosts.db-1",
      { restoreFrom: ["db-1"] },
      '"db-1" must not list itself in restoreFrom: a host always reads its own backups',
    ],
    [
      "a restore source that is not a host of the stack",
      { hosts: '{"prod-db-1":{"restoreFrom":["ghost"]},"staging-db-1":{}}' },
      "hosts.prod-db-1.restoreFrom",
      ["ghost"],
      'names "ghost", not a host of this stack: a restore source must be one of hosts (prod-db-1, staging-db-1); correct the id, or list the source host in hosts (as {}) when only its backups are left',
    ],
    [
      "two host ids that differ only in case",
      { hosts: '{"prod-db-1":{},"Prod-DB-1":{}}' },
      "hosts.Prod-DB-1",
      {},
      'is "prod-db-1" in another case: host names are case-insensitive, so both are one machine, whose S3 keys carry one spelling; keep the one its jobs use (the host config\'s hostId, else its short host name) and remove the other',
    ],
    [
      "an unknown field of a host",
      { hosts: '{"db-1":{"readFrom":["db-2"]}}' },
      "hosts.db-1.readFrom",
      ["db-2"],
      "unknown field; allowed: restoreFrom",
    ],
    [
      "unknown time zone",
      { timezone: "Mars/Olympus" },
      "timezone",
      "Mars/Olympus",
      "must be an IANA time zone such as UTC or Europe/Berlin",
    ],
    [
      "the engine's backstop not longer than the engine's window",
      { postgresBackstopDays: "30" },
      "postgresBackstopDays",
      "30",
      "must be at least 37 (the PostgreSQL engine keeps 30 days; a shorter lifecycle deletes WAL a kept base backup needs)",
    ],
    [
      "misspelt config key",
      { retentionDay: '{"logs":30}' },
      "retentionDay",
      '{"logs":30}',
      expect.stringMatching(
        /^unknown config key; allowed: bucketName, retentionDays, /,
      ) as unknown as string,
    ],
    [
      "metric namespace reserved by AWS",
      { metricNamespace: "AWS/Backup" },
      "metricNamespace",
      "AWS/Backup",
      "must be 1-255 of A-Z a-z 0-9 . _ / # : - and not start with 'AWS/'",
    ],
    [
      "client-side encryption's enabled not a boolean",
      { clientSideEncryption: '{"enabled":"yes"}' },
      "clientSideEncryption.enabled",
      "yes",
      "must be true or false",
    ],
    [
      "client-side encryption's parameter not an SSM path",
      {
        clientSideEncryption: '{"enabled":true,"cipherPassParameter":"pg pass"}',
        hosts: '{"db-1":{}}',
      },
      "clientSideEncryption.cipherPassParameter",
      hidden("pg pass"),
      "must be an SSM parameter path such as /stellar-insights-backups/postgres-repository-cipher-pass: a leading '/', letters, digits, '.', '-', '_' and at most 15 levels, not under /aws or /ssm",
    ],
    [
      "client-side encryption's parameter under the reserved /aws",
      {
        clientSideEncryption: '{"enabled":true,"cipherPassParameter":"/aws/pass"}',
        hosts: '{"db-1":{}}',
      },
      "clientSideEncryption.cipherPassParameter",
      hidden("/aws/pass"),
      "must be an SSM parameter path such as /stellar-insights-backups/postgres-repository-cipher-pass: a leading '/', letters, digits, '.', '-', '_' and at most 15 levels, not under /aws or /ssm",
    ],
    [
      "client-side encryption with an unknown field",
      { clientSideEncryption: '{"enabled":true,"passphrase":"hunter2"}' },
      "clientSideEncryption.passphrase",
      "hunter2",
      "unknown field; allowed: enabled, cipherPassParameter",
    ],
    [
      "client-side encryption on with wal-g, whose repository encryption is not built",
      { postgresEngine: "wal-g", clientSideEncryption: '{"enabled":true}' },
      "clientSideEncryption.enabled",
      true,
      "is on, but the wal-g engine's repository encryption is not built yet: use postgresEngine pgbackrest, or turn clientSideEncryption off",
    ],
  ])("%s", (_case, overrides, key, value, message) => {
    expect(problemsOf({ ...MINIMAL, ...overrides })).toEqual([{ key, value, message }]);
  });

  test("missing alert target", () => {
    expect(problemsOf({})).toEqual([
      {
        key: "alertEmail",
        value: undefined,
        message: "set alertEmail and/or alertHttpsEndpoint: failed backups must page someone",
      },
    ]);
  });

  test("missing or malformed AWS region", () => {
    const message = expect.stringMatching(
      /^must be an AWS region @pulumi\/aws knows \(set it with `pulumi config set aws:region`\): af-south-1, .*, us-east-1, /,
    ) as unknown as string;
    const unset = validateStackConfig({ ...MINIMAL }, undefined);
    expect(unset.ok ? [] : unset.problems).toEqual([
      { key: "aws:region", value: undefined, message },
    ]);
    expect(problemsOf({ ...MINIMAL }, "Virginia")).toEqual([
      { key: "aws:region", value: "Virginia", message },
    ]);
  });
});

test("every problem is reported at once, then formatted with key, value and what is allowed", () => {
  const problems = problemsOf({
    bucketName: "Bad_Bucket",
    retentionDays: '{"logs":0,"mysql":3}',
    schedules: '{"redis":"rate(1 week)"}',
    pgMajorVersion: "9",
    pgData: "relative",
    hostTarget: '{"tagKey":"","tagValue":""}',
    alertHttpsEndpoint: "ftp://x",
  });
  expect(problems.map((p) => p.key)).toEqual([
    "bucketName",
    "retentionDays.logs",
    "retentionDays.mysql",
    "schedules.redis",
    "pgMajorVersion",
    "pgData",
    "hostTarget.tagKey",
    "hostTarget.tagValue",
    "alertHttpsEndpoint",
  ]);
  const report = formatProblems("stellar-insights-backup", problems);
  expect(report.split("\n")[0]).toBe("stack config has 9 problem(s); nothing was deployed:");
  expect(report).toContain(
    "  - stellar-insights-backup:retentionDays.logs = 0: must be a whole number of days from 1 to 36500",
  );
});

test("secure values offline are taken as present but not format-checked", () => {
  expect(problemsOf({ alertHttpsEndpoint: OFFLINE_SECRET_PLACEHOLDER })).toEqual([]);
});

test("pgData follows pgMajorVersion unless set", () => {
  const result = validateStackConfig({ ...MINIMAL, pgMajorVersion: "15" }, REGION);
  expect(result.ok && result.config.pgData).toBe("/var/lib/postgresql/15/main");
});

test("a longer WAL retention widens the engine's window and the default backstop", () => {
  const result = validateStackConfig({ ...MINIMAL, retentionDays: '{"wal":45}' }, REGION);
  expect(result.ok && result.config.postgresBackstopDays).toBe(75);
});

test("each unknown key and each broken rule of one value is its own problem", () => {
  const problems = problemsOf({
    ...MINIMAL,
    colour: "blue",
    retentionDays: '{"logs":0,"wal":7}',
    bucketName: "X.",
    shade: "dark",
  });
  expect(problems.map((p) => [p.key, p.value])).toEqual([
    ["colour", "blue"],
    ["retentionDays.logs", 0],
    ["retentionDays.wal", 7],
    ["bucketName", "X."],
    ["bucketName", "X."],
    ["shade", "dark"],
  ]);
});

test("numbers inside maps may be written as text", () => {
  const result = validateStackConfig(
    {
      ...MINIMAL,
      thresholds: '{"backupAgeHours":"24","diskUsagePercent":"70"}',
      retentionDays: '{"logs":"45"}',
    },
    REGION,
  );
  expect(
    result.ok && [result.config.thresholds.diskUsagePercent, result.config.retentionDays.logs],
  ).toEqual([70, 45]);
});

test("client-side encryption is off unless set, and names the bucket's parameter by default", () => {
  const off = validateStackConfig({ ...MINIMAL }, REGION);
  const on = validateStackConfig(
    {
      ...MINIMAL,
      bucketName: "acme-backups",
      clientSideEncryption: '{"enabled":"true"}',
      hosts: '{"db-1":{}}',
    },
    REGION,
  );
  expect(off.ok && off.config.clientSideEncryption).toEqual({
    enabled: false,
    cipherPassParameter: "/stellar-insights-backups/postgres-repository-cipher-pass",
  });
  expect(on.ok && on.config.clientSideEncryption).toEqual({
    enabled: true,
    cipherPassParameter: "/acme-backups/postgres-repository-cipher-pass",
  });
});
