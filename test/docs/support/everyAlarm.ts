/**
 * Every alarm the stack can make: the prod options with the restore-test RTO, replication and
 * backups from a standby on.
 */
import { DEFAULT_SCHEDULES, DEFAULT_THRESHOLDS } from "../../../infra/catalog";
import { alarmDefinitions } from "../../../infra/content/aws/alarmDefinitions";

export function everyAlarmDefinition(): ReturnType<typeof alarmDefinitions> {
  return alarmDefinitions({
    metricNamespace: "ns",
    schedules: DEFAULT_SCHEDULES,
    timezone: "UTC",
    thresholds: { ...DEFAULT_THRESHOLDS, restoreTestRtoMinutes: 30 },
    deadLetterQueueName: "q",
    snapshotPolicyId: "p",
    hosts: ["h"],
    standbyBackup: true,
    replication: { sourceBucket: "b", destinationBucket: "r", ruleId: "rule" },
  });
}
