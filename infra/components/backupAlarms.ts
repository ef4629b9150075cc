import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmDefinitions, type AlarmInputs } from "../content/aws/alarmDefinitions";
import { stackResourceName } from "../content/aws/resourceNames";

export interface BackupAlarmsArgs extends AlarmInputs<pulumi.Input<string>> {
  readonly stack: string;
  /** The on-call topic: every alarm's ALARM and OK actions. */
  readonly topicArn: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The alarms of `alarmDefinitions`, one CloudWatch alarm per key, each paging on-call when it
 * fires and again when it clears.
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
          namespace: alarm.namespace,
          metricName: alarm.metricName,
          dimensions: alarm.dimensions,
          statistic: alarm.statistic,
          comparisonOperator: alarm.comparisonOperator,
          threshold: alarm.threshold,
          period: alarm.periodSeconds,
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
