import { Dimension, Metric, SHIPPED_JOB_KEYS } from "../../infra/catalog";
import { alarmsOn } from "../lib/alarms";
import type { MetricAlarmProps } from "../lib/awsProps";
import { stackPolicy } from "../lib/define";
import { isUnknown } from "../lib/known";

/**
 * Metrics whose silence or growth says a job stopped running: its own per-run heartbeat, or (for a
 * job whose runs are further apart than an alarm can look back) the health check's figure of how
 * long ago it last ran.
 */
const LIVENESS_METRICS = [Metric.jobHeartbeat, Metric.jobLastRunAgeSeconds] as const;

export const catalogJobsHeartbeatAlarmed = stackPolicy({
  name: "backup-catalog-jobs-heartbeat-alarmed",
  description:
    "Every job of the catalog has an alarm on its heartbeat (or on how long ago it last ran) that treats " +
    "missing data as breaching: a job that stops running publishes nothing, and only silence-as-failure notices.",
  validate: (view, _args, report) => {
    for (const key of SHIPPED_JOB_KEYS) {
      const searches = LIVENESS_METRICS.map((metric) => alarmsOn(view, metric, Dimension.job, key));
      const alarms = searches.flatMap((s) => s.alarms);
      if (alarms.length === 0 && !searches.some((s) => s.undetermined)) {
        report(
          `catalog job '${key}' has no alarm on ${LIVENESS_METRICS.join(" or ")} with ${Dimension.job}=${key}`,
        );
      }
      for (const alarm of alarms) {
        const missing = (alarm.props as MetricAlarmProps).treatMissingData;
        if (isUnknown(missing) || missing === "breaching") continue;
        report(
          `liveness alarm of job '${key}' treats missing data as ${JSON.stringify(missing ?? "missing")}, ` +
            "not 'breaching': a job that stops running would never fire it",
          alarm.resource.urn,
        );
      }
    }
  },
});
