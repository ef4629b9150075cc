import { expect, test } from "vitest";
import { BACKUP_TYPES } from "../../../infra/catalog";
import { lifecycleRules, toAwsLifecycleRules } from "../../../infra/content/aws/lifecycleRules";

const RUNBOOK = {
  retentionDays: { postgres: 30, wal: 30, configs: 90, logs: 30, snapshots: 28, redis: 30 },
  postgresBackstopDays: 60,
};

function expected(id: string, prefix: string, days: number) {
  return {
    id,
    status: "Enabled",
    filter: { prefix },
    expiration: { days },
    noncurrentVersionExpiration: { noncurrentDays: 7 },
    abortIncompleteMultipartUpload: { daysAfterInitiation: 3 },
  };
}

test("one rule per S3 prefix with the runbook's days; the PostgreSQL engine's prefix gets only the backstop; artifacts lose only noncurrent versions", () => {
  expect(toAwsLifecycleRules(lifecycleRules(RUNBOOK))).toEqual([
    {
      id: "artifacts-noncurrent-versions",
      status: "Enabled",
      filter: { prefix: "artifacts/" },
      noncurrentVersionExpiration: { noncurrentDays: 7 },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 3 },
    },
    expected("configs-retention", "configs/", 90),
    expected("logs-retention", "logs/", 30),
    expected("postgres-engine-backstop", "postgres/", 60),
    expected("redis-retention", "redis/", 30),
  ]);
});

test("every catalog row stored in S3 is kept by exactly one rule; snapshots by none", () => {
  const rules = lifecycleRules(RUNBOOK);
  const covered = rules.flatMap((r) => r.rows).sort();
  const inS3 = Object.values(BACKUP_TYPES)
    .filter((row) => row.s3 !== undefined)
    .map((row) => row.key)
    .sort();
  expect(covered).toEqual(inS3);
  expect(covered).not.toContain("snapshots");
});

test("changing one row's retention changes only that rule", () => {
  const before = lifecycleRules(RUNBOOK);
  const after = lifecycleRules({
    ...RUNBOOK,
    retentionDays: { ...RUNBOOK.retentionDays, logs: 14 },
  });
  const changed = after.filter((rule, i) => JSON.stringify(rule) !== JSON.stringify(before[i]));
  expect(changed.map((r) => [r.id, r.expiration?.days])).toEqual([["logs-retention", 14]]);
});

test("the engine's backstop follows postgresBackstopDays, not the rows' retention", () => {
  const rules = lifecycleRules({ ...RUNBOOK, postgresBackstopDays: 120 });
  expect(rules.find((r) => r.id === "postgres-engine-backstop")?.expiration?.days).toBe(120);
});
