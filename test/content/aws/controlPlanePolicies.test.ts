/**
 * Policies and requests of the control plane as whole documents, and the inputs they refuse.
 */
import { describe, expect, test } from "vitest";
import { commandFailurePattern } from "../../../infra/content/aws/failureEvents";
import { retryPolicy, scheduleInput } from "../../../infra/content/aws/jobSchedule";
import { pagingKeyPolicy, pagingTopicPolicy } from "../../../infra/content/aws/pagingPolicies";
import {
  deadLetterQueuePolicy,
  schedulerPolicy,
} from "../../../infra/content/aws/schedulerPolicies";
import { sendCommandRequest } from "../../../infra/content/aws/sendCommand";
import { snapshotPolicyDetails } from "../../../infra/content/aws/snapshotPolicy";

const HOST = { tagKey: "stellar-insights:backup-role", tagValue: "database" } as const;
const statements = (doc: string) =>
  (JSON.parse(doc) as { Statement: Record<string, unknown>[] }).Statement;

describe("paging", () => {
  test("the key: the account administers it; CloudWatch only for this stack's alarms; EventBridge (no source keys reach KMS) unconditioned", () => {
    expect(
      statements(
        pagingKeyPolicy({
          accountId: "111122223333",
          region: "eu-west-1",
          namePrefix: "StellarBackup-staging",
        }),
      ),
    ).toEqual([
      {
        Sid: "AccountAdministersKey",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111122223333:root" },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "AlarmsOfThisStackEncryptPages",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: {
          ArnLike: {
            "aws:SourceArn":
              "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:StellarBackup-staging-*",
          },
          StringEquals: { "aws:SourceAccount": "111122223333" },
        },
      },
      {
        Sid: "RulesEncryptPages",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
      },
    ]);
  });

  test("the topic: TLS only; no AWS principal, no wildcard grant, every grant pinned to account and name prefix", () => {
    const doc = pagingTopicPolicy({
      topicArn: "arn:aws:sns:eu-west-1:111122223333:StellarBackup-staging-oncall",
      accountId: "111122223333",
      region: "eu-west-1",
      namePrefix: "StellarBackup-staging",
    });
    const [deny, ...grants] = [...statements(doc)].reverse();
    expect(deny).toEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "sns:*",
      Resource: "arn:aws:sns:eu-west-1:111122223333:StellarBackup-staging-oncall",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(grants).toHaveLength(2);
    for (const s of grants) {
      expect(s.Effect).toBe("Allow");
      expect(s.Action).toBe("sns:Publish");
      expect(Object.keys(s.Principal as object)).toEqual(["Service"]);
      expect(s.Condition).toMatchObject({
        ArnLike: {
          "aws:SourceArn": expect.stringMatching(
            /^arn:aws:(cloudwatch|events):eu-west-1:111122223333:(alarm:|rule\/)StellarBackup-staging-\*$/,
          ),
        },
        StringEquals: { "aws:SourceAccount": "111122223333" },
      });
    }
  });
});

describe("schedules", () => {
  test("the scheduler's policy names each document once, sorted", () => {
    const doc = schedulerPolicy({
      region: "us-east-1",
      accountId: "111122223333",
      documentArns: ["arn:b", "arn:a"],
      hostTarget: HOST,
      deadLetterQueueArn: "arn:q",
    });
    expect(statements(doc)[0].Resource).toEqual(["arn:a", "arn:b"]);
  });

  test("the dead-letter queue admits one role and refuses plain HTTP", () => {
    expect(
      statements(deadLetterQueuePolicy({ queueArn: "arn:q", schedulerRoleArn: "arn:r" })),
    ).toEqual([
      {
        Sid: "SchedulerDeadLetters",
        Effect: "Allow",
        Principal: { AWS: "arn:r" },
        Action: "sqs:SendMessage",
        Resource: "arn:q",
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:*",
        Resource: "arn:q",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("a schedule's input is SSM's SendCommand request, compact and key-sorted", () => {
    expect(
      scheduleInput({
        job: "health-check",
        stack: "staging",
        documentName: "StellarBackup-staging-health-check",
        hostTarget: HOST,
        outputLogGroupName: "/logs",
      }),
    ).toBe(
      '{"CloudWatchOutputConfig":{"CloudWatchLogGroupName":"/logs","CloudWatchOutputEnabled":true},"Comment":"staging: scheduled health-check",' +
        '"DocumentName":"StellarBackup-staging-health-check","MaxConcurrency":"100%","MaxErrors":"100%",' +
        '"Targets":[{"Key":"tag:stellar-insights:backup-role","Values":["database"]}],"TimeoutSeconds":300}',
    );
  });

  test.each<[string, number]>([
    ["rate(5 minutes)", 300],
    ["rate(1 minute)", 60],
    ["cron(0 2 * * ? *)", 3600],
    ["cron(0 6 ? * SUN *)", 3600],
  ])("retries of %s stop after %i s", (expression, seconds) => {
    expect(retryPolicy(expression)).toEqual({
      maximumEventAgeInSeconds: seconds,
      maximumRetryAttempts: 10,
    });
  });

  test("SSM's limits are enforced before AWS sees the request", () => {
    const base = { documentName: "d", hostTarget: HOST, outputLogGroupName: "/l", comment: "c" };
    expect(() => sendCommandRequest({ ...base, timeoutSeconds: 10 })).toThrow(
      "timeoutSeconds 10 is outside SSM's 30-2592000",
    );
    expect(() =>
      sendCommandRequest({ ...base, timeoutSeconds: 60, comment: "x".repeat(101) }),
    ).toThrow("SSM comments take at most 100 characters");
  });
});

test("the failure pattern lists each document once, sorted", () => {
  expect(JSON.parse(commandFailurePattern(["b", "a", "b"])).detail["document-name"]).toEqual([
    "a",
    "b",
  ]);
});

test("DLM refuses a schedule it cannot read", () => {
  expect(() =>
    snapshotPolicyDetails({
      cronExpression: "rate(7 days)",
      retainDays: 28,
      hostTarget: HOST,
      stack: "s",
    }),
  ).toThrow("DLM takes a cron(...) expression, got 'rate(7 days)'");
});
