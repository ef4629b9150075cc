/**
 * What a committed stack file must not do: hold credentials in plain text, misspell a provider's
 * key, name no host, schedule a job absurdly often or rarely; and what a refusal must not print:
 * a secret, or a value that looks right but is not.
 */
import { describe, expect, test } from "vitest";
import { hidden, showValue } from "../../infra/catalog/schema/shownValue";
import { validateProgramConfig } from "../../infra/config/programConfig";
import { providerConfig } from "../../infra/config/providerKeys";
import { formatProblems } from "../../infra/config/stackConfig";

const P = "stellar-insights-backup";
const NOW = new Date("2026-01-01T12:00:00Z");
const BASE = {
  "aws:region": "us-east-1",
  [`${P}:alertEmail`]: "devops@stellar-insights.com",
  [`${P}:hosts`]: '{"db-1":{}}',
};
const SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

function check(config: Record<string, string>, secretKeys: string[] = []) {
  return validateProgramConfig(P, { ...BASE, ...config }, { now: NOW, secretKeys });
}
function problemsOf(config: Record<string, string>, secretKeys: string[] = []) {
  const result = check(config, secretKeys);
  return result.ok ? [] : result.problems.map((p) => [p.key, p.value, p.message]);
}

describe("credentials in plain text are refused, their values hidden", () => {
  const CREDENTIAL =
    "is a credential in plain text in the stack file, which is committed: remove it and let the provider find credentials in the environment (a profile, SSO, a CI role), or store it encrypted with `pulumi config set --secret";

  test("the AWS provider's secret keys come from @pulumi/aws itself", () => {
    expect(providerConfig("aws").secretKeys).toEqual(["accessKey", "secretKey", "token"]);
  });

  test.each([
    ["aws:secretKey", SECRET_ACCESS_KEY],
    ["aws:accessKey", "AKIAIOSFODNN7EXAMPLE"],
    ["aws:token", "IQoJb3JpZ2luX2VjEXAMPLE"],
  ])("%s", (key, value) => {
    const problems = problemsOf({ [key]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0][0]).toBe(key);
    expect(problems[0][1]).toEqual(hidden(value));
    expect(problems[0][2]).toContain(`${CREDENTIAL} ${key}\``);
    // Written secure: (Pulumi's secret keys), the same value passes.
    expect(problemsOf({ [key]: value }, [key])).toEqual([]);
  });

  test("a password inside alertHttpsEndpoint, and an access key id anywhere", () => {
    const url = "https://pager:hunter2@events.example.com/hook";
    expect(problemsOf({ [`${P}:alertHttpsEndpoint`]: url })).toEqual([
      [
        `${P}:alertHttpsEndpoint`,
        hidden(url),
        `holds a password (user info in the URL) in plain text in the stack file, which is committed: store it encrypted with \`pulumi config set --secret ${P}:alertHttpsEndpoint\` (written as secure:); rotate it, it is in the history`,
      ],
    ]);
    expect(problemsOf({ [`${P}:alertHttpsEndpoint`]: url }, [`${P}:alertHttpsEndpoint`])).toEqual(
      [],
    );
    const tagged = problemsOf({ [`${P}:hostTarget`]: '{"tagKey":"AKIAIOSFODNN7EXAMPLE"}' });
    expect(tagged[0].slice(0, 2)).toEqual([
      `${P}:hostTarget`,
      hidden('{"tagKey":"AKIAIOSFODNN7EXAMPLE"}'),
    ]);
  });

  test("the report never prints them", () => {
    const result = check({ "aws:secretKey": SECRET_ACCESS_KEY });
    if (result.ok) throw new Error("expected problems");
    const report = formatProblems(P, result.problems);
    expect(report).not.toContain("wJalrXUtnFEMI");
    expect(report).toContain("aws:secretKey = <hidden: 40 characters>: is a credential");
  });
});

describe("provider keys are the provider's own", () => {
  test("aws:regoin is refused, suggesting aws:region from @pulumi/aws's config", () => {
    const problems = problemsOf({ "aws:regoin": "us-west-2" });
    expect(problems).toHaveLength(1);
    expect(problems[0][0]).toBe("aws:regoin");
    expect(problems[0][2]).toMatch(
      /^is not a key of the aws provider, which would ignore it: did you mean aws:region\? \(@pulumi\/aws 7\.\d+\.\d+ reads accessKey, allowedAccountIds, .*, region, .*\)$/,
    );
  });

  test("every key @pulumi/aws reads is accepted, and a key far from all of them lists them", () => {
    expect(providerConfig("aws").keys).toContain("skipCredentialsValidation");
    expect(problemsOf({ "aws:skipCredentialsValidation": "true", "aws:profile": "ops" })).toEqual(
      [],
    );
    const far = problemsOf({ "aws:colour": "blue" });
    expect(far[0][2]).toMatch(
      /^is not a key of the aws provider, which would ignore it: @pulumi\/aws /,
    );
  });

  test("a misspelt credential key still hides its value", () => {
    expect(problemsOf({ "aws:secretkye": SECRET_ACCESS_KEY })[0][1]).toEqual(
      hidden(SECRET_ACCESS_KEY),
    );
  });

  test("docker: its keys from @pulumi/docker; command reads no config", () => {
    expect(problemsOf({ "docker:host": "unix:///var/run/docker.sock" })).toEqual([]);
    expect(problemsOf({ "docker:hots": "x" })[0][2]).toContain("did you mean docker:host?");
    expect(problemsOf({ "command:shell": "bash" })[0][2]).toMatch(
      /^is not a key of the command provider, which would ignore it: @pulumi\/command [\d.]+ reads no config$/,
    );
  });
});

describe("a stack without hosts gets one message", () => {
  const NO_HOSTS =
    "no hosts: list each database host by the id its S3 keys carry (the host config's hostId, else its short host name), e.g. hosts: {prod-db-1: {}}; without one the stack creates no host role, so no host can write a backup";

  test("hosts: {}", () => {
    expect(problemsOf({ [`${P}:hosts`]: "{}" })).toEqual([["hosts", {}, NO_HOSTS]]);
  });

  test("no hosts with client-side encryption on: the same message, not the policy pack's KMS ones", () => {
    const { [`${P}:hosts`]: _hosts, ...withoutHosts } = BASE;
    const result = validateProgramConfig(
      P,
      { ...withoutHosts, [`${P}:clientSideEncryption`]: '{"enabled":true}' },
      { now: NOW },
    );
    expect(result.ok ? [] : result.problems.map((p) => [p.key, p.message])).toEqual([
      ["hosts", `${NO_HOSTS}, and clientSideEncryption grants its key and passphrase to no one`],
    ]);
  });

  test("leaving hosts out while encryption is off still passes (the bucket before the first host)", () => {
    const { [`${P}:hosts`]: _hosts, ...withoutHosts } = BASE;
    expect(validateProgramConfig(P, withoutHosts, { now: NOW }).ok).toBe(true);
  });
});

describe("cadences stay in the range the catalog makes sensible", () => {
  const schedules = (map: Record<string, string>) => ({ [`${P}:schedules`]: JSON.stringify(map) });

  test.each([
    [
      { postgres: "rate(1 minute)" },
      "schedules.postgres",
      "runs as often as every 1 minute; the time between runs must be from 4 hours (the longest a pg-backup run may take (its SSM timeout): closer runs overlap and the later one is skipped) to 1 day (the postgres RPO)",
    ],
    [
      { configs: "rate(5 minutes)" },
      "schedules.configs",
      "runs as often as every 5 minutes; the time between runs must be from 10 minutes (the longest a config-backup run may take (its SSM timeout): closer runs overlap and the later one is skipped) to 1 hour (the configs RPO)",
    ],
    [
      { cleanup: "cron(0 5 1 1 ? *)" },
      "schedules.cleanup",
      "leaves up to 366 days between runs; the time between runs must be from 1 hour (the longest a cleanup run may take (its SSM timeout): closer runs overlap and the later one is skipped) to 30 days (retentionDays.postgres, the shortest retention of a local copy: a copy outlives its retention by up to one gap)",
    ],
    [
      { restoreTest: "cron(0 6 1 */3 ? *)" },
      "schedules.restoreTest",
      "leaves up to 92 days between runs; the time between runs must be from 4 hours (the longest a pg-restore-test run may take (its SSM timeout): closer runs overlap and the later one is skipped) to 30 days (retentionDays.postgres: a backup must be proven restorable while it is still kept)",
    ],
    [
      { snapshots: "cron(0/30 * ? * SUN *)" },
      "schedules.snapshots",
      "runs as often as every 30 minutes; the time between runs must be from 1 hour (Data Lifecycle Manager's minimum interval) to 7 days (the snapshots RPO)",
    ],
  ])("%j", (map, key, message) => {
    expect(problemsOf(schedules(map)).map(([k, , m]) => [k, m])).toEqual([[key, message]]);
  });

  test("the catalog's defaults and the prod values are in range", () => {
    expect(
      problemsOf(schedules({ postgres: "cron(0 */6 * * ? *)", logs: "cron(5,35 * * * ? *)" })),
    ).toEqual([]);
    expect(problemsOf({})).toEqual([]);
  });
});

describe("values in messages are escaped and secret-shaped ones hidden", () => {
  test.each([
    [
      "a zero-width space",
      "devops\u200B@stellar-insights.com",
      '"devops\\u{200B}@stellar-insights.com"',
    ],
    [
      "a no-break space",
      "/var/lib/postgresql/14/main\u00A0",
      '"/var/lib/postgresql/14/main\\u{A0}"',
    ],
    ["a Cyrillic а", "us-e\u0430st-1", '"us-e\\u{430}st-1"'],
    ["control characters", "UTC\u001b[2J\r", '"UTC\\u{1B}[2J\\r"'],
  ])("%s", (_kind, value, shown) => {
    expect(showValue(value)).toBe(shown);
  });

  test("a look-alike region reads as what it is in the report", () => {
    const result = check({ "aws:region": "us-e\u0430st-1" });
    if (result.ok) throw new Error("expected problems");
    expect(formatProblems(P, result.problems)).toContain(
      'aws:region = "us-e\\u{430}st-1": must be',
    );
  });

  test("a passphrase pasted into cipherPassParameter is never printed", () => {
    for (const pasted of ["correct horse battery staple", "Zq8vN2xLr5Tb9KpW3mYd7HcF"]) {
      const result = check({
        [`${P}:clientSideEncryption`]: JSON.stringify({
          enabled: true,
          cipherPassParameter: pasted,
        }),
      });
      if (result.ok) throw new Error("expected problems");
      const report = formatProblems(P, result.problems);
      expect(report).not.toContain(pasted);
      expect(report).toContain(
        `${P}:clientSideEncryption.cipherPassParameter = <hidden: ${pasted.length} characters>: must be an SSM parameter path`,
      );
    }
  });

  test("a token-shaped value is hidden wherever a message shows it", () => {
    expect(showValue("Zq8vN2xLr5Tb9KpW3mYd7HcF")).toBe("<hidden: 24 characters>");
    expect(showValue("/var/lib/postgresql/14/main")).toBe('"/var/lib/postgresql/14/main"');
    expect(showValue("cron(0 2 * * ? *)")).toBe('"cron(0 2 * * ? *)"');
  });
});
