/**
 * The whole program under Pulumi's mocks with the prod stack file: schedules, paging, failure
 * events, alarms, snapshots, dashboard, restore image and post-deploy check as `pulumi up` would
 * create them.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  DEFAULT_SCHEDULES,
  JOB_KEYS,
  JOBS,
  SHIPPED_JOB_KEYS,
  documentName,
} from "../../infra/catalog";
import { ALARM_KINDS } from "../../infra/content/aws/alarmDefinitions";
import { synthesizeStack } from "../../infra/synth/synthesizeStack";
import type { Plan, PlannedResource } from "../../infra/synth/plan";

const ACCOUNT = "123456789012";
const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:StellarBackup-prod-oncall`;
const DLQ_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:StellarBackup-prod-schedule-dead-letters`;
const LOG_GROUP = "/stellar-insights-backup/prod/jobs";
let plan: Plan;

const ofType = (type: string, parent?: string) =>
  plan.resources.filter((r) => r.type === type && (parent === undefined || r.parent === parent));
function only(type: string, parent: string): PlannedResource {
  const found = ofType(type, parent);
  expect(found, `exactly one ${type} under ${parent}`).toHaveLength(1);
  return found[0];
}
const json = (value: unknown) => JSON.parse(String(value)) as Record<string, unknown>;
const alarms = () => ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
const alarm = (key: string) => {
  const found = alarms().filter((r) => r.name === `alarms-${key}`);
  expect(found, `alarm ${key}`).toHaveLength(1);
  return found[0].inputs;
};

beforeAll(async () => {
  plan = await synthesizeStack("prod");
});

describe("JobSchedules", () => {
  test("one schedule per shipped catalog job, each with the catalog's expression, in UTC, on the minute", () => {
    const schedules = ofType("aws:scheduler/schedule:Schedule");
    expect(schedules).toHaveLength(SHIPPED_JOB_KEYS.length);
    expect(schedules.map((s) => s.name).sort()).toEqual(
      SHIPPED_JOB_KEYS.map((job) => `job-schedules-${job}`).sort(),
    );
    for (const job of SHIPPED_JOB_KEYS) {
      const s = schedules.find((r) => r.name === `job-schedules-${job}`)!;
      expect(s.parent).toBe("job-schedules");
      expect(s.inputs).toMatchObject({
        name: `StellarBackup-prod-${job}`,
        groupName: "StellarBackup-prod-jobs",
        scheduleExpression: DEFAULT_SCHEDULES[JOBS[job].scheduleKey],
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
      });
    }
    expect(
      schedules.find((s) => s.name === "job-schedules-config-backup")!.inputs.scheduleExpression,
    ).toBe("cron(15 * * * ? *)");
    for (const job of JOB_KEYS.filter((key) => !JOBS[key].shipped)) {
      expect(
        schedules.find((s) => s.name === `job-schedules-${job}`),
        `${job} is not shipped`,
      ).toBeUndefined();
    }
  });

  test("every schedule sends its job's document to the tagged hosts, with retries and the dead-letter queue", () => {
    for (const s of ofType("aws:scheduler/schedule:Schedule")) {
      const job = s.name.replace("job-schedules-", "") as (typeof JOB_KEYS)[number];
      const target = s.inputs.target as Record<string, unknown>;
      expect(target.arn).toBe("arn:aws:scheduler:::aws-sdk:ssm:sendCommand");
      expect(target.roleArn).toMatch(/^arn:aws:iam::123456789012:role\//);
      expect(target.deadLetterConfig).toEqual({ arn: DLQ_ARN });
      expect(target.retryPolicy).toEqual({
        maximumEventAgeInSeconds: job === "health-check" ? 300 : 3600,
        maximumRetryAttempts: 10,
      });
      expect(json(target.input)).toEqual({
        DocumentName: documentName("prod", job),
        Targets: [{ Key: "tag:stellar-insights:backup-role", Values: ["database"] }],
        TimeoutSeconds: JOBS[job].timeoutSeconds,
        MaxConcurrency: "100%",
        MaxErrors: "100%",
        CloudWatchOutputConfig: {
          CloudWatchLogGroupName: LOG_GROUP,
          CloudWatchOutputEnabled: true,
        },
        Comment: `prod: scheduled ${job}`,
      });
    }
  });

  test("the dead-letter queue is encrypted and takes messages from the scheduler's role only, over TLS", () => {
    const queue = only("aws:sqs/queue:Queue", "job-schedules");
    expect(queue.inputs).toMatchObject({
      name: "StellarBackup-prod-schedule-dead-letters",
      sqsManagedSseEnabled: true,
    });
    const policy = json(only("aws:sqs/queuePolicy:QueuePolicy", "job-schedules").inputs.policy);
    expect(policy.Statement).toEqual([
      {
        Sid: "SchedulerDeadLetters",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/job-schedules-role` },
        Action: "sqs:SendMessage",
        Resource: DLQ_ARN,
      },
      expect.objectContaining({
        Effect: "Deny",
        Principal: "*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    ]);
  });

  test("the scheduler's role sends only these documents, only to hosts with the tag, and writes dead letters", () => {
    const role = only("aws:iam/role:Role", "job-schedules");
    expect(json(role.inputs.assumeRolePolicy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: {
            "aws:SourceAccount": ACCOUNT,
            "aws:SourceArn": `arn:aws:scheduler:us-east-1:${ACCOUNT}:job-schedules-group`,
          },
        },
      },
    ]);
    const statements = json(only("aws:iam/rolePolicy:RolePolicy", "job-schedules").inputs.policy)
      .Statement as {
      Action: string;
      Resource: string | string[];
      Condition?: unknown;
    }[];
    expect(statements.map((s) => s.Action)).toEqual([
      "ssm:SendCommand",
      "ssm:SendCommand",
      "sqs:SendMessage",
    ]);
    expect(statements[0].Resource).toEqual(
      SHIPPED_JOB_KEYS.map(
        (job) => `arn:aws:ssm:us-east-1:${ACCOUNT}:document/StellarBackup-prod-${job}`,
      ).sort(),
    );
    expect(statements[1]).toMatchObject({
      Resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`,
      Condition: { StringEquals: { "ssm:resourceTag/stellar-insights:backup-role": "database" } },
    });
    expect(statements[2].Resource).toBe(DLQ_ARN);
    expect(JSON.stringify(statements)).not.toMatch(/"(\*|ssm:\*|sqs:\*)"/);
  });
});

describe("Paging", () => {
  test("a KMS-encrypted topic whose key CloudWatch and EventBridge may use", () => {
    const key = only("aws:kms/key:Key", "paging");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    const statements = json(key.inputs.policy).Statement as {
      Sid: string;
      Principal: unknown;
      Action: unknown;
    }[];
    expect(statements.find((s) => s.Sid === "AlarmsOfThisStackEncryptPages")).toMatchObject({
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Condition: {
        ArnLike: {
          "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:StellarBackup-prod-*`,
        },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
      },
    });
    expect(statements.find((s) => s.Sid === "RulesEncryptPages")).toMatchObject({
      Principal: { Service: "events.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
    });
    expect(only("aws:sns/topic:Topic", "paging").inputs).toMatchObject({
      name: "StellarBackup-prod-oncall",
      kmsMasterKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/paging-key-id`,
    });
  });

  test("only this stack's alarms and rules may publish, and only over TLS", () => {
    const policy = json(only("aws:sns/topicPolicy:TopicPolicy", "paging").inputs.policy);
    const statements = policy.Statement as {
      Effect: string;
      Principal: unknown;
      Action: string;
      Condition: unknown;
    }[];
    expect(statements.map((s) => [s.Effect, s.Principal, s.Action])).toEqual([
      ["Allow", { Service: "cloudwatch.amazonaws.com" }, "sns:Publish"],
      ["Allow", { Service: "events.amazonaws.com" }, "sns:Publish"],
      ["Deny", "*", "sns:*"],
    ]);
    expect(statements.map((s) => s.Condition)).toEqual([
      {
        ArnLike: {
          "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:StellarBackup-prod-*`,
        },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
      },
      {
        ArnLike: {
          "aws:SourceArn": `arn:aws:events:us-east-1:${ACCOUNT}:rule/StellarBackup-prod-*`,
        },
        StringEquals: { "aws:SourceAccount": ACCOUNT },
      },
      { Bool: { "aws:SecureTransport": "false" } },
    ]);
    // The names the policy admits are the names the stack gives.
    for (const a of alarms()) expect(String(a.inputs.name)).toMatch(/^StellarBackup-prod-/);
    expect(only("aws:cloudwatch/eventRule:EventRule", "failure-events").inputs.name).toMatch(
      /^StellarBackup-prod-/,
    );
  });

  test("the prod stack's e-mail subscription, and no HTTPS one it did not configure", () => {
    const subscriptions = ofType("aws:sns/topicSubscription:TopicSubscription");
    expect(
      subscriptions.map((s) => [s.name, s.inputs.protocol, s.inputs.endpoint, s.inputs.topic]),
    ).toEqual([["paging-email", "email", "devops@stellar-insights.com", TOPIC_ARN]]);
  });
});

describe("FailureEvents", () => {
  test("failed, timed-out or cancelled runs of the job documents and the install page with a readable message", () => {
    const rule = only("aws:cloudwatch/eventRule:EventRule", "failure-events");
    expect(json(rule.inputs.eventPattern)).toEqual({
      source: ["aws.ssm"],
      "detail-type": ["EC2 Command Invocation Status-change Notification"],
      detail: {
        "document-name": [...SHIPPED_JOB_KEYS, "install" as const]
          .map((key) => documentName("prod", key))
          .sort(),
        status: ["Cancelled", "Failed", "TimedOut"],
      },
    });
    const target = only("aws:cloudwatch/eventTarget:EventTarget", "failure-events");
    expect(target.inputs).toMatchObject({
      rule: "StellarBackup-prod-job-command-failed",
      arn: TOPIC_ARN,
    });
    const transformer = target.inputs.inputTransformer as {
      inputTemplate: string;
      inputPaths: Record<string, string>;
    };
    expect(JSON.parse(transformer.inputTemplate)).toBe(
      `[prod] Backup job <document> ended <status> on host <instance> at <time> (command <command>). Its output is in CloudWatch Logs group ${LOG_GROUP}, stream prefix <command>/<instance>. What to do: docs/runbook/alarms.md#alarm-command-failed`,
    );
    expect(Object.keys(transformer.inputPaths).sort()).toEqual([
      "command",
      "document",
      "instance",
      "status",
      "time",
    ]);
  });
});

describe("BackupAlarms", () => {
  test("alarms by kind: 4 backup ages, a job failure and a heartbeat per shipped job (8), one of each other kind (prod's replication with RTC: both replication alarms)", () => {
    const byKind = new Map<string, number>();
    for (const a of alarms()) {
      const kind = ALARM_KINDS.find((k) =>
        String(a.inputs.alarmDescription).endsWith(`docs/runbook/alarms.md#alarm-${k}`),
      );
      expect(kind, `${a.name} names its runbook section`).toBeDefined();
      byKind.set(kind!, (byKind.get(kind!) ?? 0) + 1);
    }
    expect(Object.fromEntries(byKind)).toEqual({
      "backup-age": 4,
      "job-failed": 8,
      heartbeat: 8,
      "s3-unreachable": 1,
      "disk-usage": 1,
      "wal-archive-lag": 1,
      "wal-archive-failures": 1,
      "wal-archive-stuck": 1,
      "pg-wal-disk-usage": 1,
      "schedule-dlq": 1,
      "snapshot-failures": 1,
      "replication-latency": 1,
      "replication-failures": 1,
    });
    expect(alarms()).toHaveLength(30);
  });

  test("no alarm without actions: every one pages on ALARM and on OK", () => {
    for (const a of alarms()) {
      expect(a.parent).toBe("alarms");
      expect(a.inputs, a.name).toMatchObject({
        actionsEnabled: true,
        alarmActions: [TOPIC_ARN],
        okActions: [TOPIC_ARN],
      });
    }
  });

  /** A per-host alarm's one query, as the component hands it to AWS. */
  const perHost = (key: string) => {
    const a = alarm(key);
    expect(a.namespace, key).toBeUndefined();
    expect(a.metricName, key).toBeUndefined();
    expect(a.statistic, key).toBeUndefined();
    expect(a.metricQueries, key).toHaveLength(1);
    const [query] = a.metricQueries as Record<string, unknown>[];
    expect(query, key).toMatchObject({ id: "perhost", returnData: true });
    expect(query.metric, key).toBeUndefined();
    return { ...a, query: query.expression, period: query.period };
  };
  const ns = `"StellarInsights/Backup"`;

  test("every runbook alert is there, at the runbook's limit, watching each host", () => {
    expect(perHost("backup-age-postgres")).toMatchObject({
      query: `SELECT MAX(BackupAgeSeconds) FROM SCHEMA(${ns}, BackupType, Host) WHERE BackupType = 'postgres' GROUP BY Host`,
      period: 300,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 24 * 3600,
    });
    expect(perHost("job-failed-redis-backup")).toMatchObject({
      query: `SELECT SUM(JobFailed) FROM SCHEMA(${ns}, Host, Job) WHERE Job = 'redis-backup' GROUP BY Host`,
      threshold: 0,
    });
    expect(perHost("s3-unreachable")).toMatchObject({
      query: `SELECT MIN(S3Reachable) FROM SCHEMA(${ns}, Host, Job) WHERE Job = 'health-check' GROUP BY Host`,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
    });
    expect(perHost("disk-usage")).toMatchObject({
      query: `SELECT MAX(BackupDiskUsagePercent) FROM SCHEMA(${ns}, Host, Job) WHERE Job = 'health-check' GROUP BY Host`,
      threshold: 80,
    });
    expect(perHost("wal-archive-lag")).toMatchObject({
      query: `SELECT MAX(WalArchiveLagSeconds) FROM SCHEMA(${ns}, BackupType, Host) WHERE BackupType = 'wal' GROUP BY Host`,
      threshold: 15 * 60,
      evaluationPeriods: 2,
    });
    for (const a of alarms()) {
      if (String(a.inputs.namespace).startsWith("AWS/")) continue;
      // One host's liveness watches that host's series directly (the next test).
      if ((a.inputs.dimensions as Record<string, unknown> | undefined)?.Host !== undefined)
        continue;
      expect(a.inputs.namespace).toBeUndefined();
      for (const q of a.inputs.metricQueries as { expression: string }[])
        expect(q.expression).toContain(`FROM SCHEMA(${ns}, `);
    }
  });

  test("a heartbeat per scheduled job and host, paging on silence; none for jobs not shipped", () => {
    for (const job of SHIPPED_JOB_KEYS.filter((key) => key !== "health-check")) {
      const a = perHost(`heartbeat-${job}`);
      expect(alarm(`heartbeat-${job}`).treatMissingData).toBe("breaching");
      expect(a.query).toBe(
        `SELECT MAX(JobLastRunAgeSeconds) FROM SCHEMA(${ns}, Host, Job) WHERE Job = '${job}' GROUP BY Host`,
      );
    }
    // The health check's heartbeat: one alarm per host of `hosts` (prod: prod-db-1) on its own
    // series, which a silent host cannot drop out of.
    expect(alarm("heartbeat-health-check-prod-db-1")).toMatchObject({
      namespace: "StellarInsights/Backup",
      metricName: "JobHeartbeat",
      dimensions: { Job: "health-check", Host: "prod-db-1" },
      statistic: "Sum",
      period: 300,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
    });
    expect(alarm("heartbeat-health-check-prod-db-1").metricQueries).toBeUndefined();
    const names = alarms().map((a) => String(a.inputs.name));
    for (const job of JOB_KEYS.filter((key) => !JOBS[key].shipped)) {
      expect(
        names.filter((n) => n.endsWith(`-${job}`)),
        job,
      ).toEqual([]);
    }
  });

  test("the schedules' dead-letter queue and the snapshot policy's failures page", () => {
    expect(alarm("schedule-dlq")).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "StellarBackup-prod-schedule-dead-letters" },
    });
    expect(alarm("snapshot-failures")).toMatchObject({
      namespace: "AWS/EBS",
      metricName: "SnapshotsCreateFailed",
      dimensions: { DLMPolicyId: "snapshots-id" },
    });
  });
});

describe("SnapshotPolicy", () => {
  test("weekly snapshots of the tagged hosts, kept retentionDays.snapshots days, tags copied, own role", () => {
    const policy = only("aws:dlm/lifecyclePolicy:LifecyclePolicy", "snapshots");
    expect(policy.inputs).toMatchObject({
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/snapshots-role`,
      state: "ENABLED",
      policyDetails: {
        policyType: "EBS_SNAPSHOT_MANAGEMENT",
        resourceTypes: ["INSTANCE"],
        targetTags: { "stellar-insights:backup-role": "database" },
        schedules: [
          expect.objectContaining({
            createRule: { cronExpression: "cron(0 3 ? * SUN *)" },
            retainRule: { interval: 28, intervalUnit: "DAYS" },
            copyTags: true,
          }),
        ],
      },
    });
    expect(json(only("aws:iam/role:Role", "snapshots").inputs.assumeRolePolicy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "dlm.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          ArnLike: { "aws:SourceArn": `arn:aws:dlm:us-east-1:${ACCOUNT}:policy/*` },
          StringEquals: { "aws:SourceAccount": ACCOUNT },
        },
      },
    ]);
    expect(
      only("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "snapshots").inputs.policyArn,
    ).toBe("arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole");
  });
});

describe("RestoreVerificationImage", () => {
  test("an ECR repository that scans on push and keeps the last 5 images", () => {
    expect(only("aws:ecr/repository:Repository", "restore-verification").inputs).toMatchObject({
      name: "stellarbackup-prod-restore-verification",
      imageScanningConfiguration: { scanOnPush: true },
    });
    expect(
      json(only("aws:ecr/lifecyclePolicy:LifecyclePolicy", "restore-verification").inputs.policy),
    ).toEqual({
      rules: [
        {
          rulePriority: 1,
          description: "Keep the last 5 images",
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 },
          action: { type: "expire" },
        },
      ],
    });
  });

  test("the image is built now that the pg-restore-test job it copies exists", () => {
    // The build inputs themselves are checked in test/infra/restoreImage.test.ts.
    expect(ofType("docker:index/image:Image").map((r) => r.name)).toEqual([
      "restore-verification-image",
    ]);
  });
});

describe("PostDeployCheck", () => {
  // Its wiring is tested on the component itself: test/infra/postDeployCheckComponent.test.ts.
  test("is present once pg-verify, the job it runs, is shipped (prod turns it on)", () => {
    expect(JOBS["pg-verify"].shipped).toBe(true);
    expect(ofType("command:local:Command")).toHaveLength(1);
  });
});

describe("BackupDashboard", () => {
  test("one dashboard, named after the stack, drawing every aged row against its RPO and the bucket's size", () => {
    const dashboards = ofType("aws:cloudwatch/dashboard:Dashboard");
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0].inputs.dashboardName).toBe("StellarBackup-prod");
    const body = JSON.stringify(json(dashboards[0].inputs.dashboardBody));
    for (const row of ["postgres", "configs", "logs", "redis"])
      expect(body).toContain(`Backup age vs RPO: ${row}`);
    expect(body).toContain('"AWS/S3","BucketSizeBytes","BucketName","stellar-insights-backups"');
  });
});

test("outputs: the topic, the dashboard, every schedule and every alarm", () => {
  expect(plan.outputs).toMatchObject({
    alertTopicArn: TOPIC_ARN,
    dashboardName: "StellarBackup-prod",
    scheduleDeadLetterQueue: "StellarBackup-prod-schedule-dead-letters",
    scheduleNames: Object.fromEntries(
      SHIPPED_JOB_KEYS.map((job) => [job, `StellarBackup-prod-${job}`]),
    ),
  });
  expect([...(plan.outputs.alarmNames as string[])].sort()).toEqual(
    alarms()
      .map((a) => String(a.inputs.name))
      .sort(),
  );
  expect(plan.outputs.alarmNames).toHaveLength(30);
});
