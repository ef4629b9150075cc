import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  alarmDefinitions,
  insightsQueryOf,
  seriesDimensionsOf,
  type AlarmDefinition,
  type AlarmInputs,
} from "../content/aws/alarmDefinitions";
import { stackResourceName } from "../content/aws/resourceNames";

export interface BackupAlarmsArgs extends AlarmInputs<pulumi.Input<string>> {
  readonly stack: string;
  /** The on-call topic: every alarm's ALARM and OK actions. */
  readonly topicArn: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * What an alarm watches, in `aws.cloudwatch.MetricAlarm` v7 terms. A per-host figure on every
 * host: one `metricQueries` entry holding its Metrics Insights query (`expression` + `period`, no
 * `metric`), and no `namespace`/`metricName`/`statistic`/`period` on the alarm itself, as
 * PutMetricAlarm requires of an alarm on queries. One series (an AWS metric, one host's
 * liveness): named directly.
 */
function watched(alarm: AlarmDefinition<pulumi.Input<string>>, key: string) {
  const series = seriesDimensionsOf(alarm);
  if (series !== undefined)
    return {
      namespace: alarm.namespace,
      metricName: alarm.metricName,
      dimensions: series,
      statistic: alarm.statistic,
      period: alarm.periodSeconds,
    };
  const query = insightsQueryOf(alarm as AlarmDefinition<unknown>);
  if (query === undefined) throw new Error(`alarm '${key}': no series and no query`);
  if (Object.values(alarm.dimensions).some((v) => typeof v !== "string"))
    throw new Error(`alarm '${key}': a per-host query needs plain dimension values`);
  return {
    metricQueries: [
      {
        id: "perhost",
        expression: query,
        period: alarm.periodSeconds,
        label: `${alarm.metricName} per ${alarm.groupBy}`,
        returnData: true,
      },
    ],
  };
}

/**
 * The alarms of `alarmDefinitions`, one CloudWatch alarm per key, each paging on-call when it
 * fires (for a per-host alarm: when any host's series does) and again when it clears.
 */
export class BackupAlarms extends pulumi.ComponentResource {
  readonly alarms: Readonly<Record<string, aws.cloudwatch.MetricAlarm>>;
  readonly alarmNames: string[];

  constructor(name: string, args: BackupAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:BackupAlarms", name, {}, opts);
    const alarms: Record<string, aws.cloudwatch.MetricAlarm> = {};
    for (const [key, alarm] of Object.entries(alarmDefinitions(args))) {
      alarms[key] = new aws.cloudwatch.MetricAlarm(
        `${name}-${key}`,
        {
          // The topic policy admits alarms named with the stack's prefix only.
          name: stackResourceName(args.stack, key),
          alarmDescription: alarm.description,
          ...watched(alarm, key),
          comparisonOperator: alarm.comparisonOperator,
          threshold: alarm.threshold,
          evaluationPeriods: alarm.evaluationPeriods,
          datapointsToAlarm: alarm.datapointsToAlarm,
          treatMissingData: alarm.treatMissingData,
          ...(alarm.warmUpMinutes === undefined
            ? {}
            : { warmUpConfiguration: { warmUpPeriodDurationInMinutes: alarm.warmUpMinutes } }),
          actionsEnabled: true,
          alarmActions: [args.topicArn],
          okActions: [args.topicArn],
          tags: { ...args.tags },
        },
        { parent: this },
      );
    }
    this.alarms = alarms;
    this.alarmNames = Object.keys(alarms).map((key) => stackResourceName(args.stack, key));
    this.registerOutputs({ alarmNames: this.alarmNames });
  }
}
