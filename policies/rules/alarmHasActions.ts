import type { AlarmProps } from "../lib/awsProps";
import { resourcePolicy } from "../lib/define";
import { isUnknown, list } from "../lib/known";

function hasActions(value: unknown): boolean {
  return isUnknown(value) || list(value).length > 0;
}

export const alarmHasActions = resourcePolicy({
  name: "backup-alarm-has-actions",
  description:
    "Every CloudWatch alarm notifies someone when it fires and when it recovers: an alarm without " +
    "actions turns red on a dashboard nobody watches while the backups stop.",
  kinds: ["metricAlarm", "compositeAlarm"],
  check: (props) => {
    const alarm = props as AlarmProps;
    const problems: string[] = [];
    if (alarm.actionsEnabled === false)
      problems.push("actionsEnabled is false: the alarm changes state but notifies nobody");
    if (!hasActions(alarm.alarmActions))
      problems.push("has no alarmActions: nobody is paged when it fires");
    if (!hasActions(alarm.okActions))
      problems.push("has no okActions: on-call never hears that it recovered");
    return problems;
  },
});
