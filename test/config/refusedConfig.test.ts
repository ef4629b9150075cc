/**
 * Stack config that used to be accepted (or refused only after resources were registered), each
 * kind with its exact message: through `validateProgramConfig`, the check `pulumi up` and
 * `npm run synth` both run on the whole config before the first resource.
 */
import { describe, expect, test } from "vitest";
import { hostConfigProblems } from "../../infra/config/hostConfigCheck";
import { validateProgramConfig } from "../../infra/config/programConfig";
import { parseStackFile } from "../../infra/synth/stackFile";

const P = "stellar-insights-backup";
const NOW = new Date("2026-01-01T12:00:00Z");
const BASE = { "aws:region": "us-east-1", [`${P}:alertEmail`]: "devops@stellar-insights.com" };
/** Schedules that hold every RPO in a zone with daylight saving time. */
const DST_SAFE = JSON.stringify({
  postgres: "cron(0 1,13 * * ? *)",
  redis: "rate(1 hour)",
  configs: "rate(1 hour)",
  logs: "rate(1 hour)",
});

function problemsOf(config: Record<string, string>) {
  const result = validateProgramConfig(P, { ...BASE, ...config }, { now: NOW });
  return result.ok ? [] : result.problems.map((p) => [p.key, p.value, p.message]);
}

const DST_HINT = (utc: string) =>
  `: daylight saving time stretches it from ${utc} in UTC (EventBridge Scheduler skips a run whose local time does not exist when clocks spring forward and runs a repeated hour once); use rate(...), more runs a day, or timezone UTC`;
const DAYS = "must be a whole number of days from 1 to 36500";
const PATH_RULE =
  "must hold only letters, digits and . _ @ + = : , / - (no spaces, quotes, globs, shell metacharacters or other characters)";
const EMPTY = "is empty: give it a value or remove the key";
const PADDED = "must not start or end with spaces or line breaks: write the value without them";
const NEVER = (from: string, to: string) =>
  `is not a valid schedule expression: never fires: no date from ${from} to ${to} matches its day-of-month, month, day-of-week and year fields`;

describe("schedules are judged in the stack's time zone, as EventBridge Scheduler runs them", () => {
  test.each<[string, Record<string, string>, unknown[][]]>([
    [
      "a daily run in the hour that spring-forward day skips: 47 hours against a 24-hour RPO",
      {
        [`${P}:timezone`]: "Europe/Berlin",
        [`${P}:schedules`]: JSON.stringify({
          ...JSON.parse(DST_SAFE),
          postgres: "cron(30 2 * * ? *)",
        }),
      },
      [
        [
          "schedules.postgres",
          "cron(30 2 * * ? *)",
          "leaves 47 hours between its runs of 2026-03-28 02:30 +01:00 and 2026-03-30 02:30 +02:00 (Europe/Berlin), longer than the postgres RPO of 1 day" +
            DST_HINT("1 day"),
        ],
      ],
    ],
    [
      "an hourly cron runs the repeated hour once: 2 hours against a 1-hour RPO",
      {
        [`${P}:timezone`]: "Europe/Berlin",
        [`${P}:schedules`]: JSON.stringify({
          ...JSON.parse(DST_SAFE),
          redis: "cron(30 * * * ? *)",
        }),
      },
      [
        [
          "schedules.redis",
          "cron(30 * * * ? *)",
          "leaves 2 hours between its runs of 2026-10-25 02:30 +02:00 and 2026-10-25 03:30 +01:00 (Europe/Berlin), longer than the redis RPO of 1 hour" +
            DST_HINT("1 hour"),
        ],
      ],
    ],
    [
      "a daily run outside the change still has the 25-hour fall-back day",
      {
        [`${P}:timezone`]: "America/New_York",
        [`${P}:schedules`]: JSON.stringify({
          ...JSON.parse(DST_SAFE),
          postgres: "cron(0 4 * * ? *)",
        }),
      },
      [
        [
          "schedules.postgres",
          "cron(0 4 * * ? *)",
          "leaves 25 hours between its runs of 2026-10-31 04:00 -04:00 and 2026-11-01 04:00 -05:00 (America/New_York), longer than the postgres RPO of 1 day" +
            DST_HINT("1 day"),
        ],
      ],
    ],
    [
      "the catalog's defaults are judged too, and say so",
      {
        [`${P}:timezone`]: "Europe/Berlin",
        [`${P}:schedules`]: JSON.stringify({ ...JSON.parse(DST_SAFE), logs: undefined }),
      },
      [
        [
          "schedules.logs",
          "cron(5 * * * ? *)",
          "(the default) leaves 2 hours between its runs of 2026-10-25 02:05 +02:00 and 2026-10-25 03:05 +01:00 (Europe/Berlin), longer than the logs RPO of 1 hour" +
            DST_HINT("1 hour"),
        ],
      ],
    ],
    [
      "the backup-age alarm may not page below the real longest gap",
      {
        [`${P}:timezone`]: "Europe/Berlin",
        [`${P}:schedules`]: DST_SAFE,
        [`${P}:thresholds`]: '{"backupAgeHours":12}',
      },
      [
        [
          "thresholds.backupAgeHours",
          12,
          "must be a whole number of hours from 13 (the postgres schedule's longest gap: lower pages between two good backups) to 24 (the postgres RPO: higher pages only after the RPO is lost)",
        ],
      ],
    ],
    [
      "an expression that never fires (no February 31st), and a year range in the past",
      {
        [`${P}:schedules`]: '{"verify":"cron(0 0 31 2 ? *)","cleanup":"cron(0 5 * * ? 2020-2025)"}',
      },
      [
        ["schedules.verify", "cron(0 0 31 2 ? *)", NEVER("2026-01-01", "2199-12-31")],
        [
          "schedules.cleanup",
          "cron(0 5 * * ? 2020-2025)",
          "is not a valid schedule expression: never fires: its year field ends at 2025, which is in the past (runs are simulated from 2026-01-01); use * for the year",
        ],
      ],
    ],
    [
      "a year range that ends",
      { [`${P}:schedules`]: '{"health":"cron(0/5 * * * ? 2026-2027)"}' },
      [
        [
          "schedules.health",
          "cron(0/5 * * * ? 2026-2027)",
          "is not a valid schedule expression: stops: its last run is 2027-12-31 23:55 +00:00 (the year field ends at 2027); a recurring job must not end",
        ],
      ],
    ],
  ])("%s", (_kind, config, expected) => {
    expect(problemsOf(config)).toEqual(expected);
  });

  test.each<[string, Record<string, string>]>([
    [
      "hourly rows on rate(), postgres twice a day",
      { [`${P}:timezone`]: "Europe/Berlin", [`${P}:schedules`]: DST_SAFE },
    ],
    ["the catalog's defaults in UTC", {}],
    // DLM reads the snapshot schedule in UTC, whatever the stack's zone.
    [
      "the weekly snapshot in a DST zone",
      {
        [`${P}:timezone`]: "America/New_York",
        [`${P}:schedules`]: JSON.stringify({
          ...JSON.parse(DST_SAFE),
          snapshots: "cron(0 2 ? * SUN *)",
        }),
      },
    ],
  ])("accepted: %s", (_kind, config) => {
    expect(problemsOf(config)).toEqual([]);
  });
});

describe("values that used to pass unnoticed", () => {
  test.each<[string, Record<string, string>, unknown[][]]>([
    [
      "a misspelt project namespace",
      { "stellar-insight-backup:retentionDays": '{"logs":14}' },
      [
        [
          "stellar-insight-backup:retentionDays",
          '{"logs":14}',
          "unknown namespace 'stellar-insight-backup': this project's keys are 'stellar-insights-backup:<key>' (write 'stellar-insights-backup:retentionDays'); other namespaces allowed: aws, command, docker, pulumi",
        ],
      ],
    ],
    [
      "a key without a namespace",
      { bucketName: "x" },
      [
        [
          "(no namespace) bucketName",
          "x",
          "has no namespace: write 'stellar-insights-backup:bucketName' (or 'aws:bucketName' for the AWS provider)",
        ],
      ],
    ],
    [
      "empty values, top-level and in a map",
      { [`${P}:bucketName`]: "", [`${P}:hostTarget`]: '{"tagKey":"role","tagValue":" "}' },
      [
        ["bucketName", "", EMPTY],
        ["hostTarget.tagValue", " ", EMPTY],
      ],
    ],
    [
      "values with surrounding spaces",
      {
        [`${P}:timezone`]: " UTC",
        [`${P}:schedules`]: '{"postgres":"cron(0 2 * * ? *) "}',
        [`${P}:retentionDays`]: '{"logs":" 30"}',
        [`${P}:postgresBackstopDays`]: "60\n",
      },
      [
        ["timezone", " UTC", PADDED],
        ["schedules.postgres", "cron(0 2 * * ? *) ", PADDED],
        ["retentionDays.logs", " 30", PADDED],
        ["postgresBackstopDays", "60\n", PADDED],
      ],
    ],
    [
      "day counts past a century",
      {
        [`${P}:retentionDays`]: '{"logs":36501,"configs":1e9}',
        [`${P}:postgresBackstopDays`]: "1000000000",
        [`${P}:accessLogRetentionDays`]: "99999999",
      },
      [
        ["retentionDays.logs", 36501, DAYS],
        ["retentionDays.configs", 1e9, DAYS],
        ["postgresBackstopDays", "1000000000", DAYS],
        ["accessLogRetentionDays", "99999999", DAYS],
      ],
    ],
    [
      "paths the host config refuses (globs, brackets, a home directory)",
      {
        [`${P}:pgData`]: "/var/lib/postgresql/*/main",
        [`${P}:localBackupRoot`]: "/backups/[a-z]",
      },
      [
        ["pgData", "/var/lib/postgresql/*/main", PATH_RULE],
        ["localBackupRoot", "/backups/[a-z]", PATH_RULE],
      ],
    ],
    [
      "a home-relative path",
      { [`${P}:pgData`]: "~postgres/main" },
      [["pgData", "~postgres/main", "must be an absolute path (starting with '/')"]],
    ],
  ])("%s", (_kind, config, expected) => {
    expect(problemsOf(config)).toEqual(expected);
  });

  test.each(["us-east-9", "mars-north-1", "US-EAST-1", "useast1"])(
    "an AWS region @pulumi/aws does not know: %s",
    (region) => {
      const problems = problemsOf({ "aws:region": region });
      expect(problems).toHaveLength(1);
      expect(problems[0].slice(0, 2)).toEqual(["aws:region", region]);
      expect(problems[0][2]).toMatch(
        /^must be an AWS region @pulumi\/aws knows \(set it with `pulumi config set aws:region`\): af-south-1, ap-east-1, .*, eusc-de-east-1, .*, us-west-2$/,
      );
    },
  );

  test.each(["eusc-de-east-1", "us-isob-east-1", "ap-southeast-7", "us-gov-west-1"])(
    "every region @pulumi/aws knows is one the host config accepts too: %s",
    (region) => {
      expect(problemsOf({ "aws:region": region })).toEqual([]);
    },
  );

  test("a stack file's empty value is empty, not the string 'null'", () => {
    const { config } = parseStackFile(
      `config:\n  aws:region: us-east-1\n  ${P}:bucketName:\n  ${P}:alertEmail: a@b.io\n`,
    );
    expect(config[`${P}:bucketName`]).toBe("");
    expect(problemsOf(config)).toEqual([["bucketName", "", EMPTY]]);
  });

  test("every problem of every kind at once, namespaces first", () => {
    expect(
      problemsOf({
        "stellar-insights-backups:timezone": "UTC",
        [`${P}:bucketName`]: "",
        [`${P}:pgData`]: "/data/pg?",
        [`${P}:retentionDays`]: '{"logs":100000}',
        "aws:region": "moon-1",
      }).map(([key]) => key),
    ).toEqual([
      "stellar-insights-backups:timezone",
      "aws:region",
      "bucketName",
      "pgData",
      "retentionDays.logs",
    ]);
  });
});

test("the host config's own rules run on what the stack would render, keyed by the stack key", () => {
  const result = validateProgramConfig(P, BASE, { now: NOW });
  if (!result.ok) throw new Error("expected a valid config");
  expect(hostConfigProblems(result.config)).toEqual([]);
  const bad = {
    ...result.config,
    pgData: "/data/pg main",
    retentionDays: { ...result.config.retentionDays, logs: 0 },
  };
  expect(hostConfigProblems(bad).map((p) => [p.key, p.value])).toEqual([
    ["retentionDays.logs", 0],
    ["pgData", "/data/pg main"],
  ]);
  expect(hostConfigProblems(bad)[1].message).toBe(
    'the hosts would refuse it (host config postgres.pgData): "/data/pg main" must hold only letters, digits and . _ @ + = : , / - (no spaces, quotes, globs, shell metacharacters or other characters)',
  );
});
