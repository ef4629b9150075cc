/**
 * The alarm definitions as whole output, their shape rules, and the metric contract the host jobs
 * must honour.
 */
import { describe, expect, test } from "vitest";
import {
  BACKUP_TYPES,
  DEFAULT_SCHEDULES,
  JOB_KEYS,
  SHIPPED_JOB_KEYS,
} from "../../../infra/catalog";
import {
  ALARM_KINDS,
  alarmDefinitions,
  alarmMetricContract,
  insightsQueryOf,
  seriesDimensionsOf,
  type AlarmInputs,
} from "../../../infra/content/aws/alarmDefinitions";
import { parseInsightsQuery } from "../../../infra/catalog";
import { stableJson } from "../../../infra/catalog/stableJson";
import { DEFAULT_THRESHOLDS } from "../../../infra/catalog";

const PROD: AlarmInputs = {
  metricNamespace: "StellarInsights/Backup",
  schedules: DEFAULT_SCHEDULES,
  timezone: "UTC",
  thresholds: DEFAULT_THRESHOLDS,
  deadLetterQueueName: "StellarBackup-prod-schedule-dead-letters",
  snapshotPolicyId: "policy-0123456789abcdef0",
  hosts: ["prod-db-1"],
};
const prod = alarmDefinitions(PROD);

test("the prod alarms, as a whole (review a change here as a change in paging)", async () => {
  await expect(`${stableJson(prod)}\n`).toMatchFileSnapshot(
    "__snapshots__/alarmDefinitions.prod.json",
  );
});

describe("shape", () => {
  test("28 alarms by default (jobs not shipped yet would have none); the restore-test RTO alarm only when the stack sets an RTO", () => {
    expect(Object.keys(prod)).toHaveLength(28);
    expect(Object.keys(alarmDefinitions({ ...PROD, jobs: JOB_KEYS }))).toHaveLength(28);
    expect(prod["restore-test-rto"]).toBeUndefined();
    const withRto = alarmDefinitions({
      ...PROD,
      thresholds: { ...DEFAULT_THRESHOLDS, restoreTestRtoMinutes: 45 },
    });
    expect(withRto["restore-test-rto"]).toMatchObject({
      metricName: "RestoreTestRtoSeconds",
      dimensions: { Job: "pg-restore-test" },
      threshold: 2700,
    });
  });

  test("the standby-fallback alarm only where the stack backs up from a standby, paging on the first fallback", () => {
    expect(prod["standby-fallback"]).toBeUndefined();
    const fromStandby = alarmDefinitions({ ...PROD, standbyBackup: true });
    expect(Object.keys(fromStandby)).toHaveLength(29);
    expect(fromStandby["standby-fallback"]).toMatchObject({
      metricName: "StandbyFallback",
      dimensions: { BackupType: "postgres" },
      groupBy: "Host",
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: "ignore",
    });
  });

  test("every description says what broke and ends with its kind's runbook section", () => {
    for (const [key, alarm] of Object.entries(prod)) {
      expect(ALARM_KINDS).toContain(alarm.kind);
      expect(alarm.description, key).toMatch(
        new RegExp(`\\. What to do: docs/runbook/alarms\\.md#alarm-${alarm.kind}$`),
      );
      expect(alarm.description.length, key).toBeLessThanOrEqual(1024);
    }
  });

  test("alarms on silence page only after a warm-up; the others never page on silence", () => {
    for (const [key, alarm] of Object.entries(prod)) {
      const pagesOnSilence = alarm.treatMissingData === "breaching";
      expect(pagesOnSilence, key).toBe(alarm.kind === "heartbeat");
      expect(alarm.warmUpMinutes !== undefined, key).toBe(pagesOnSilence);
    }
  });

  test("health-check figures need `evaluationPeriods` consecutive breaching periods", () => {
    const strict = alarmDefinitions({
      ...PROD,
      thresholds: { ...DEFAULT_THRESHOLDS, evaluationPeriods: 5 },
    });
    for (const key of [
      "backup-age-postgres",
      "s3-unreachable",
      "disk-usage",
      "wal-archive-lag",
      "wal-archive-failures",
    ]) {
      expect(strict[key], key).toMatchObject({
        periodSeconds: 300,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
      });
    }
    expect(strict["job-failed-redis-backup"]).toMatchObject({
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
  });

  test("a stuck archiver and a filling pg_wal page on one health check, so the page comes inside the wal RPO", () => {
    const strict = alarmDefinitions({
      ...PROD,
      thresholds: { ...DEFAULT_THRESHOLDS, evaluationPeriods: 5 },
    });
    expect(strict["wal-archive-stuck"]).toMatchObject({
      metricName: "WalArchiveStuck",
      dimensions: { BackupType: "wal" },
      groupBy: "Host",
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      periodSeconds: 300,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
    expect(strict["pg-wal-disk-usage"]).toMatchObject({
      metricName: "PgWalDiskUsagePercent",
      dimensions: { BackupType: "wal" },
      threshold: DEFAULT_THRESHOLDS.diskUsagePercent,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
    // The health check runs every 5 minutes: one period plus one run stays below the RPO.
    expect(2 * strict["wal-archive-stuck"].periodSeconds).toBeLessThan(BACKUP_TYPES.wal.rpoSeconds);
  });

  test("backup age: the full backup pages at backupAgeHours, the hourly rows at their 1-hour RPO", () => {
    expect(
      Object.fromEntries(
        Object.entries(prod)
          .filter(([, a]) => a.kind === "backup-age")
          .map(([key, a]) => [key, a.threshold]),
      ),
    ).toEqual({
      "backup-age-postgres": 86_400,
      "backup-age-configs": 3600,
      "backup-age-logs": 3600,
      "backup-age-redis": 3600,
    });
  });

  test("every job but the health check is watched per host by its last-run age, whatever its schedule", () => {
    const daily = alarmDefinitions({
      ...PROD,
      jobs: JOB_KEYS,
      schedules: { ...DEFAULT_SCHEDULES, restoreTest: "cron(0 6 * * ? *)" },
    });
    expect(daily["heartbeat-pg-restore-test"]).toMatchObject({
      metricName: "JobLastRunAgeSeconds",
      dimensions: { Job: "pg-restore-test" },
      groupBy: "Host",
      statistic: "Maximum",
      threshold: 86_400 + 4 * 3600 + 300,
      periodSeconds: 3600,
      treatMissingData: "breaching",
    });
    expect(prod["heartbeat-health-check-prod-db-1"]).toMatchObject({
      metricName: "JobHeartbeat",
      dimensions: { Job: "health-check" },
      groupBy: "Host",
      host: "prod-db-1",
      statistic: "Sum",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      periodSeconds: 300,
      evaluationPeriods: 4,
      datapointsToAlarm: 4,
      treatMissingData: "breaching",
    });
  });

  test("a health check too rare for a per-host heartbeat alarm is refused", () => {
    expect(() =>
      alarmDefinitions({ ...PROD, schedules: { ...DEFAULT_SCHEDULES, health: "rate(4 hours)" } }),
    ).toThrow(
      "schedule rate(4 hours) leaves 4 hours 10 minutes of silence before it pages, but a per-host heartbeat alarm sees only the latest 3 hours",
    );
  });

  test("an unvalidated schedule is refused", () => {
    expect(() =>
      alarmDefinitions({
        ...PROD,
        jobs: JOB_KEYS,
        schedules: { ...DEFAULT_SCHEDULES, cleanup: "daily" },
      }),
    ).toThrow(
      "schedule 'cleanup' (daily) must be validated first: expected cron(...) or rate(...)",
    );
  });
});

describe("per host: every alarm on a figure the hosts publish is a Metrics Insights query grouped by Host", () => {
  test("the exact query of the postgres backup age and of a job's failures", () => {
    expect(insightsQueryOf(prod["backup-age-postgres"])).toBe(
      `SELECT MAX(BackupAgeSeconds) FROM SCHEMA("StellarInsights/Backup", BackupType, Host) WHERE BackupType = 'postgres' GROUP BY Host`,
    );
    expect(insightsQueryOf(prod["job-failed-pg-backup"])).toBe(
      `SELECT SUM(JobFailed) FROM SCHEMA("StellarInsights/Backup", Host, Job) WHERE Job = 'pg-backup' GROUP BY Host`,
    );
  });

  test("every alarm in the project's namespace groups by Host and parses back to itself; AWS's metrics and one host's liveness do not", () => {
    for (const [key, alarm] of Object.entries(prod)) {
      const query = insightsQueryOf(alarm);
      if (alarm.namespace !== PROD.metricNamespace || alarm.host !== undefined) {
        expect(query, key).toBeUndefined();
        continue;
      }
      expect(alarm.groupBy, key).toBe("Host");
      expect(parseInsightsQuery(query!), key).toEqual({
        namespace: PROD.metricNamespace,
        metricName: alarm.metricName,
        statistic: alarm.statistic,
        where: alarm.dimensions,
        groupBy: "Host",
      });
      // CloudWatch evaluates a Metrics Insights alarm over the latest 3 hours only.
      expect(alarm.periodSeconds * alarm.evaluationPeriods, key).toBeLessThanOrEqual(3 * 3600);
    }
  });
});

describe("liveness: every host of the stack has an alarm on its own series", () => {
  const fleet = alarmDefinitions({ ...PROD, hosts: ["db-a", "db-b"] });

  test("one alarm per host, on the health check's heartbeat with that Host, missing data breaching, naming the host", () => {
    const liveness = Object.entries(fleet).filter(([, a]) => a.host !== undefined);
    expect(liveness.map(([key]) => key)).toEqual([
      "heartbeat-health-check-db-a",
      "heartbeat-health-check-db-b",
    ]);
    for (const [key, alarm] of liveness) {
      const host = alarm.host!;
      // No query grouped by Host: a series of its own, which a silent host cannot drop out of.
      expect(insightsQueryOf(alarm), key).toBeUndefined();
      expect(seriesDimensionsOf(alarm), key).toEqual({ Job: "health-check", Host: host });
      expect(alarm, key).toMatchObject({
        kind: "heartbeat",
        metricName: "JobHeartbeat",
        statistic: "Sum",
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        treatMissingData: "breaching",
      });
      expect(alarm.description, key).toContain(`on host ${host} for`);
    }
  });

  test("no alarm watches the health check's heartbeat across hosts (it would clear once a host is silent 3 hours)", () => {
    for (const [key, alarm] of Object.entries(fleet))
      if (alarm.metricName === "JobHeartbeat") expect(alarm.host, key).toBeDefined();
  });

  test("the fleet's alarm count grows by one per host", () => {
    const one = Object.keys(alarmDefinitions({ ...PROD, hosts: ["db-a"] })).length;
    const many = Object.keys(
      alarmDefinitions({ ...PROD, hosts: Array.from({ length: 200 }, (_, i) => `db-${i}`) }),
    ).length;
    expect(many - one).toBe(199);
  });
});

describe("the metric contract the host jobs publish to", () => {
  test("every metric and dimension set some alarm watches in the project's namespace", () => {
    const perHost = { groupBy: "Host" };
    expect(alarmMetricContract()).toEqual([
      ...["configs", "logs", "postgres", "redis"].map((row) => ({
        metricName: "BackupAgeSeconds",
        dimensions: { BackupType: row },
        ...perHost,
      })),
      { metricName: "BackupDiskUsagePercent", dimensions: { Job: "health-check" }, ...perHost },
      ...[...SHIPPED_JOB_KEYS]
        .sort()
        .map((job) => ({ metricName: "JobFailed", dimensions: { Job: job }, ...perHost })),
      // Only the health check's own heartbeat; every other job's liveness is its last-run age.
      { metricName: "JobHeartbeat", dimensions: { Job: "health-check" }, ...perHost },
      ...[...SHIPPED_JOB_KEYS]
        .filter((job) => job !== "health-check")
        .sort()
        .map((job) => ({
          metricName: "JobLastRunAgeSeconds",
          dimensions: { Job: job },
          ...perHost,
        })),
      { metricName: "PgWalDiskUsagePercent", dimensions: { BackupType: "wal" }, ...perHost },
      { metricName: "RestoreTestRtoSeconds", dimensions: { Job: "pg-restore-test" }, ...perHost },
      { metricName: "S3Reachable", dimensions: { Job: "health-check" }, ...perHost },
      { metricName: "WalArchiveFailedCount", dimensions: { BackupType: "wal" }, ...perHost },
      { metricName: "WalArchiveLagSeconds", dimensions: { BackupType: "wal" }, ...perHost },
      { metricName: "WalArchiveStuck", dimensions: { BackupType: "wal" }, ...perHost },
    ]);
  });

  test("AWS's own metrics (queue depth, DLM failures) are not the jobs' to publish", () => {
    const names = alarmMetricContract().map((m) => m.metricName);
    expect(names).not.toContain("ApproximateNumberOfMessagesVisible");
    expect(names).not.toContain("SnapshotsCreateFailed");
  });
});
