/**
 * The alarms runbook's table of heartbeat alarms (docs/runbook/alarms.md), rendered from the alarm
 * definitions with the catalog's default schedules, so the two cannot disagree (a test checks the
 * page holds exactly this text).
 */
import { DEFAULT_SCHEDULES, DEFAULT_THRESHOLDS, JOBS, SHIPPED_JOB_KEYS } from "../../catalog";
import { alarmDefinitions, livenessAlarmKey } from "../aws/alarmDefinitions";
import { describeDuration } from "../aws/heartbeatWatch";

export function heartbeatMarkdownTable(): string {
  const alarms = alarmDefinitions({
    metricNamespace: "ns",
    schedules: DEFAULT_SCHEDULES,
    timezone: "UTC",
    thresholds: DEFAULT_THRESHOLDS,
    deadLetterQueueName: "q",
    snapshotPolicyId: "p",
    hosts: ["h"],
  });
  const rows = SHIPPED_JOB_KEYS.map((job) => {
    const a = alarms[`heartbeat-${job}`] ?? alarms[livenessAlarmKey("h")];
    const watched =
      a.metricName === "JobHeartbeat"
        ? `a host of \`hosts\` with no \`JobHeartbeat\` in ${a.evaluationPeriods} periods of ${describeDuration(a.periodSeconds)}`
        : `a host's \`${a.metricName}\` above ${describeDuration(a.threshold)}`;
    return `| \`${job}\` | \`${DEFAULT_SCHEDULES[JOBS[job].scheduleKey]}\` | ${describeDuration(JOBS[job].timeoutSeconds)} | ${watched} |`;
  });
  return [
    "| Job | Default schedule | Run allowance | Pages on |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}
