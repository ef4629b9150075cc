/**
 * `backup-catalog-jobs-heartbeat-alarmed` (policies/rules/catalogJobsHeartbeatAlarmed.ts): the prod
 * plan broken in the ways it guards against.
 */
import { Metric } from "../../../infra/catalog";
import { remove } from "../fixtures/plans";
import { alarmsOn, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "the log-shipping job's heartbeat alarms are removed",
    fails: ["backup-catalog-jobs-heartbeat-alarmed"],
    says: "catalog job 'logs-ship' has no alarm on JobHeartbeat or JobLastRunAgeSeconds with Job=logs-ship",
    mutate: (p) =>
      alarmsOn(p, [Metric.jobHeartbeat, Metric.jobLastRunAgeSeconds], "Job", "logs-ship").forEach(
        (a) => remove(p, a),
      ),
  },
  {
    title: "the health check's heartbeat alarms ignore missing data",
    fails: ["backup-catalog-jobs-heartbeat-alarmed"],
    says: `treats missing data as "notBreaching"`,
    mutate: (p) =>
      alarmsOn(
        p,
        [Metric.jobHeartbeat, Metric.jobLastRunAgeSeconds],
        "Job",
        "health-check",
      ).forEach((a) => (a.inputs.treatMissingData = "notBreaching")),
  },
];

describeMutations(cases);
