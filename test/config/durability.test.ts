/**
 * The stack config keys `objectLock` and `replication`: off when absent, defaulted when set, and each
 * rule with a failing case and its exact message.
 */
import { describe, expect, test } from "vitest";
import { validateStackConfig } from "../../infra/config/validate";

const REGION = "us-east-1";
const MINIMAL = { alertEmail: "devops@stellar-insights.com" } as const;

function configOf(raw: Record<string, string>) {
  const result = validateStackConfig({ ...MINIMAL, ...raw }, REGION);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

function problemsOf(raw: Record<string, string>) {
  const result = validateStackConfig({ ...MINIMAL, ...raw }, REGION);
  return result.ok ? [] : result.problems;
}

test("both options are off unless the stack sets them", () => {
  const config = configOf({});
  expect(config.objectLock).toBeUndefined();
  expect(config.replication).toBeUndefined();
});

test("a lock and a replica as set, the replica named after the bucket and RTC off by default", () => {
  const config = configOf({
    bucketName: "acme-backups",
    objectLock: '{"mode":"COMPLIANCE","retentionDays":"30"}',
    replication: '{"region":"eu-west-1"}',
  });
  expect(config.objectLock).toEqual({ mode: "COMPLIANCE", retentionDays: 30 });
  expect(config.replication).toEqual({
    region: "eu-west-1",
    bucketName: "acme-backups-replica",
    replicationTimeControl: false,
  });
  expect(
    configOf({
      replication: '{"region":"us-west-2","bucketName":"dr-copy","replicationTimeControl":"true"}',
    }).replication,
  ).toEqual({ region: "us-west-2", bucketName: "dr-copy", replicationTimeControl: true });
});

test("a lock as long as the shortest retention of a row in the bucket is accepted", () => {
  expect(configOf({ objectLock: '{"mode":"GOVERNANCE","retentionDays":30}' }).objectLock).toEqual({
    mode: "GOVERNANCE",
    retentionDays: 30,
  });
  // Longer retention everywhere lets a longer lock through (snapshots are not in the bucket).
  expect(
    configOf({
      retentionDays: '{"postgres":45,"wal":45,"logs":45,"redis":45,"snapshots":7}',
      objectLock: '{"mode":"GOVERNANCE","retentionDays":45}',
    }).objectLock?.retentionDays,
  ).toBe(45);
});

describe("each rule of the two keys fails with its exact message", () => {
  test.each<[string, Record<string, string>, string, unknown, string]>([
    [
      "a lock mode S3 does not have",
      { objectLock: '{"mode":"LEGAL_HOLD","retentionDays":7}' },
      "objectLock.mode",
      "LEGAL_HOLD",
      "must be one of GOVERNANCE, COMPLIANCE",
    ],
    [
      "a lock of zero days",
      { objectLock: '{"mode":"GOVERNANCE","retentionDays":0}' },
      "objectLock.retentionDays",
      0,
      "must be a whole number of days from 1 to 30 (retentionDays.postgres, the shortest retention of a row kept in the bucket: a longer lock keeps that row's objects past its retention)",
    ],
    [
      "a lock longer than the shortest row's retention",
      { objectLock: '{"mode":"GOVERNANCE","retentionDays":31}' },
      "objectLock.retentionDays",
      31,
      "must be a whole number of days from 1 to 30 (retentionDays.postgres, the shortest retention of a row kept in the bucket: a longer lock keeps that row's objects past its retention)",
    ],
    [
      "a lock longer than a shortened row",
      {
        retentionDays: '{"logs":7}',
        objectLock: '{"mode":"COMPLIANCE","retentionDays":14}',
      },
      "objectLock.retentionDays",
      14,
      "must be a whole number of days from 1 to 7 (retentionDays.logs, the shortest retention of a row kept in the bucket: a longer lock keeps that row's objects past its retention)",
    ],
    [
      "a lock field that does not exist",
      { objectLock: '{"mode":"GOVERNANCE","retentionDays":7,"years":1}' },
      "objectLock.years",
      1,
      "unknown field; allowed: mode, retentionDays",
    ],
    [
      "a lock that is not a map",
      { objectLock: "GOVERNANCE" },
      "objectLock",
      "GOVERNANCE",
      "must be an object (a YAML map)",
    ],
    [
      "a replica in the primary's region",
      { replication: '{"region":"us-east-1"}' },
      "replication.region",
      "us-east-1",
      "must differ from aws:region (us-east-1): a copy in the same region is lost with it",
    ],
    [
      "a replica region that is not one",
      { replication: '{"region":"Oregon"}' },
      "replication.region",
      "Oregon",
      "must be an AWS region @pulumi/aws knows, such as us-west-2",
    ],
    [
      "a replica with the primary's name",
      { replication: '{"region":"us-west-2","bucketName":"stellar-insights-backups"}' },
      "replication.bucketName",
      "stellar-insights-backups",
      "must differ from bucketName: S3 bucket names are global",
    ],
    [
      "a replica name with dots",
      { replication: '{"region":"us-west-2","bucketName":"dr.copy"}' },
      "replication.bucketName",
      "dr.copy",
      "must be DNS-compatible: lowercase letters, digits and hyphens, starting and ending with a letter or digit (no dots: they break TLS on virtual-hosted S3 addresses)",
    ],
    [
      "RTC that is not a flag",
      { replication: '{"region":"us-west-2","replicationTimeControl":"on"}' },
      "replication.replicationTimeControl",
      "on",
      "must be true or false",
    ],
    [
      "a replica without a region",
      { replication: '{"replicationTimeControl":true}' },
      "replication.region",
      undefined,
      "is missing: it must be an AWS region @pulumi/aws knows, such as us-west-2",
    ],
    [
      "a lock without its mode",
      { objectLock: '{"retentionDays":7}' },
      "objectLock.mode",
      undefined,
      "is missing: it must be one of GOVERNANCE, COMPLIANCE",
    ],
  ])("%s", (_title, raw, key, value, message) => {
    expect(problemsOf(raw)).toEqual([{ key, value, message }]);
  });
});
