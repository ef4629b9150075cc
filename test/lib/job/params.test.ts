/**
 * The jobs' parameter checks, read through the declarations: the value each kind returns, its
 * default when unset, and the refusal naming variable, value and what is allowed. Pure: no sandbox.
 */
import { describe, expect, test } from "vitest";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { JOB_PARAMETERS } from "../../../infra/catalog/jobParameters";
import { Params } from "../../../scripts/lib/job/params";

const RESTORE = JOB_PARAMETERS["pg-restore"];
const NO_REPLICA = {} as HostConfig;
const WITH_REPLICA = { replica: { bucket: "b", region: "r" } } as unknown as HostConfig;

/** The refusal `read` leads to, or `undefined` when the parameters are good. */
function refusal(env: NodeJS.ProcessEnv, read: (p: Params) => unknown): string | undefined {
  const params = new Params(env);
  read(params);
  try {
    params.check();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe("declared defaults when unset or empty", () => {
  test.each([{}, { TARGET: "", DELTA: "", TIMEOUT_MINUTES: "", SOURCE: "" }])("%j", (env) => {
    const p = new Params(env);
    expect(p.choice(RESTORE.target)).toBe("latest");
    expect(p.flag(RESTORE.delta)).toBe(false);
    expect(p.flag(JOB_PARAMETERS["pg-backup"].local)).toBe(true);
    expect(p.integer(RESTORE.timeoutMinutes)).toBe(330);
    expect(p.integer(JOB_PARAMETERS["pg-verify"].maxAgeHours)).toBe(24);
    expect(p.source(RESTORE.source, NO_REPLICA)).toBe("primary");
    expect(p.sourceHost(RESTORE.sourceHost, "this-host")).toBe("this-host");
    expect(p.confirmed(RESTORE.confirm)).toBe(false);
    p.check();
  });
});

test("good values are read", () => {
  const p = new Params({
    TARGET: "time",
    REPOSITORY: "local",
    DELTA: "yes",
    TIMEOUT_MINUTES: "1440",
    SOURCE: "replica",
    SOURCE_HOST: "db-1.prod",
    CONFIRM: "yes-restore",
  });
  expect(p.choice(RESTORE.target)).toBe("time");
  expect(p.choice(RESTORE.repository)).toBe("local");
  expect(p.flag(RESTORE.delta)).toBe(true);
  expect(p.integer(RESTORE.timeoutMinutes)).toBe(1440);
  expect(p.source(RESTORE.source, WITH_REPLICA)).toBe("replica");
  expect(p.sourceHost(RESTORE.sourceHost, "this-host")).toBe("db-1.prod");
  expect(p.confirmed(RESTORE.confirm)).toBe(true);
  p.check();
});

test.each<[NodeJS.ProcessEnv, (p: Params) => unknown, string]>([
  [
    { TARGET: "yesterday" },
    (p) => p.choice(RESTORE.target),
    'TARGET="yesterday" is not allowed: expected latest, backup or time',
  ],
  [
    { REPOSITORY: "S3" },
    (p) => p.choice(RESTORE.repository),
    'REPOSITORY="S3" is not allowed: expected s3 or local',
  ],
  [
    { STEP: "run" },
    (p) => p.choice(JOB_PARAMETERS["pg-engine-setup"].step),
    'STEP="run" is not allowed: expected setup or check',
  ],
  [
    { DELTA: "true" },
    (p) => p.flag(RESTORE.delta),
    'DELTA="true" is not allowed: expected yes or no',
  ],
  [
    { TIMEOUT_MINUTES: "0" },
    (p) => p.integer(RESTORE.timeoutMinutes),
    "TIMEOUT_MINUTES=0 is out of range: expected a whole number from 1 to 1440",
  ],
  [
    { MAX_AGE_HOURS: "12h" },
    (p) => p.integer(JOB_PARAMETERS["pg-verify"].maxAgeHours),
    'MAX_AGE_HOURS="12h" is not allowed: expected a whole number from 1 to 720',
  ],
  [
    { CONFIRM: "yes" },
    (p) => p.confirmed(RESTORE.confirm),
    'CONFIRM="yes" is not the confirmation: set CONFIRM=yes-restore to act, or leave it unset for a dry run',
  ],
  [
    { SOURCE: "backup" },
    (p) => p.source(RESTORE.source, WITH_REPLICA),
    'SOURCE="backup" is not allowed: expected primary or replica',
  ],
  [
    { SOURCE: "replica" },
    (p) => p.source(RESTORE.source, NO_REPLICA),
    "SOURCE=replica: this host config names no replica bucket (the stack's `replication` option is off); use SOURCE=primary",
  ],
  [
    { SOURCE_HOST: "-db" },
    (p) => p.sourceHost(RESTORE.sourceHost, "this-host"),
    "SOURCE_HOST=\"-db\" is not allowed: expected a host id (letters, digits, '.', '_', '-')",
  ],
])("%j is refused naming variable, value and what is allowed", (env, read, problem) => {
  expect(refusal(env, read)).toBe(`bad parameters: ${problem}`);
});

describe("a parameter's name in other letter case", () => {
  test("is refused, naming the variable and the parameter, instead of quietly taking the default", () => {
    const BACKUP = JOB_PARAMETERS["pg-backup"];
    expect(
      refusal({ From: "standby", Kind: "full" }, (p) => [
        p.choice(BACKUP.from),
        p.choice(BACKUP.kind),
      ]),
    ).toBe(
      "bad parameters: From is not a parameter: parameter names are upper case (FROM); Kind is not a parameter: parameter names are upper case (KIND)",
    );
    expect(
      refusal({ FROM: "standby", Path: "/bin" }, (p) => p.choice(BACKUP.from)),
    ).toBeUndefined();
  });
});
