/**
 * Every policy fails on a plan broken in the one way it guards against, and nothing else fails.
 * Each case starts from the complete prod plan (which passes every
 * policy, see realPlan.test.ts), breaks one property or removes one resource, and lists exactly the
 * policies that must then report.
 */
import { describe, expect, test } from "vitest";
import {
  documentName,
  Metric,
  parseInsightsQuery,
  renderInsightsQuery,
  type InsightsQuery,
} from "../../infra/catalog";
import {
  bucketWithRole,
  prodPlanCopy,
  editJson,
  evaluate,
  onBucket,
  only,
  remove,
  ROLE_TAG,
  violatedPolicies,
  type MutablePlan,
  type MutableResource,
} from "./fixtures/plans";

const T = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  iamPolicy: "aws:iam/policy:Policy",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  encryption:
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  logging: "aws:s3/bucketLogging:BucketLogging",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  schedule: "aws:scheduler/schedule:Schedule",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  document: "aws:ssm/document:Document",
  dlm: "aws:dlm/lifecyclePolicy:LifecyclePolicy",
  ssmParameter: "aws:ssm/parameter:Parameter",
  objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
} as const;

const BACKUPS = "backups";
const ACCESS_LOGS = "access-logs";
const REPLICA = "replica";

/** The default retention of the Object Lock on the bucket with role `role`. */
function lockRetention(plan: MutablePlan, role: string): Record<string, unknown> {
  return onBucket(plan, T.objectLock, role).inputs.rule.defaultRetention;
}

/** The one rule of the backup bucket's replication configuration. */
function replicationRule(plan: MutablePlan) {
  return onBucket(plan, T.replication, BACKUPS).inputs.rules[0];
}

function all(
  plan: MutablePlan,
  type: string,
  predicate: (r: MutableResource) => boolean = () => true,
): MutableResource[] {
  const found = plan.resources.filter((r) => r.type === type && predicate(r));
  if (found.length === 0) throw new Error(`no ${type} in the plan`);
  return found;
}
const first = (plan: MutablePlan, type: string) => all(plan, type)[0];
function named(plan: MutablePlan, name: string): MutableResource {
  const found = plan.resources.find((r) => r.name === name);
  if (!found) throw new Error(`no resource '${name}' in the plan`);
  return found;
}

function addStatement(resource: MutableResource, statement: Record<string, unknown>): void {
  editJson(resource, "policy", (doc) => doc.Statement.push(statement));
}

/** A lifecycle rule as the plan holds it: JSON the mutations edit in place. */
interface LifecycleRuleJson {
  filter?: { prefix?: string };
  expiration: { days: number };
  status?: string;
}

function lifecycleRule(plan: MutablePlan, prefix: string): LifecycleRuleJson {
  const rules = onBucket(plan, T.lifecycle, BACKUPS).inputs.rules as LifecycleRuleJson[];
  const rule = rules.find((r) => r.filter?.prefix === prefix);
  if (!rule) throw new Error(`no lifecycle rule on '${prefix}'`);
  return rule;
}

function addLifecycleRule(plan: MutablePlan, prefix: string, days: number): void {
  onBucket(plan, T.lifecycle, BACKUPS).inputs.rules.push({
    id: "added",
    status: "Enabled",
    filter: { prefix },
    expiration: { days },
  });
}

function schedulesOf(
  plan: MutablePlan,
  job: Parameters<typeof documentName>[1],
): MutableResource[] {
  const document = documentName(plan.stack, job);
  return all(plan, T.schedule, (s) => JSON.parse(s.inputs.target.input).DocumentName === document);
}

/** The Metrics Insights query of a per-host alarm (its one `metricQueries` entry), parsed. */
function perHostQuery(alarm: MutableResource): InsightsQuery | undefined {
  const expression = alarm.inputs.metricQueries?.[0]?.expression;
  return typeof expression === "string" ? parseInsightsQuery(expression) : undefined;
}

/** Rewrites a per-host alarm's query, e.g. to make it watch another row. */
function rewriteQuery(alarm: MutableResource, change: (q: InsightsQuery) => InsightsQuery): void {
  alarm.inputs.metricQueries[0].expression = renderInsightsQuery(change(perHostQuery(alarm)!));
}

function alarmsOn(
  plan: MutablePlan,
  metrics: readonly string[],
  dimension: string,
  value: string,
): MutableResource[] {
  return all(plan, T.alarm, (a) => {
    // A per-host query, or one series (a host's liveness) named directly.
    const q = perHostQuery(a) ?? { metricName: a.inputs.metricName, where: a.inputs.dimensions };
    return metrics.includes(q.metricName) && q.where?.[dimension] === value;
  });
}

/** A YAML document whose one parameter has an empty (so useless) allowedValues. */
const YAML_DOCUMENT = {
  name: "fixture-unconstrained",
  documentType: "Command",
  documentFormat: "YAML",
  content:
    "schemaVersion: '2.2'\nparameters:\n  Target:\n    type: String\n    allowedValues: []\nmainSteps: []\n",
};

interface Case {
  readonly title: string;
  /** Policies that must report, exactly; empty for changes that must stay compliant. */
  readonly fails: readonly string[];
  /** Text one of the violations must contain. */
  readonly says?: string;
  readonly mutate: (plan: MutablePlan) => void;
}

const cases: Case[] = [
  // backup-iam-host-prefix-scoped
  {
    title: "the host role may write every host's configs",
    fails: ["backup-iam-host-prefix-scoped"],
    says: "policy: statement 'ReadWriteOwnBackups' allows s3:AbortMultipartUpload, s3:GetObject, s3:ListMultipartUploadParts, s3:PutObject on 'arn:aws:s3:::stellar-insights-backups/configs/*', every host's 'configs/<host>/' objects",
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-backup-policy"), "policy", (doc) => {
        const own = doc.Statement.find((st: { Sid?: string }) => st.Sid === "ReadWriteOwnBackups");
        own.Resource = own.Resource.map((r: string) =>
          r.replace("/configs/prod-db-1/", "/configs/"),
        );
      }),
  },
  // backup-iam-no-wildcard-grants
  {
    title: "a role policy allows s3:*",
    // On every object of the bucket, so on every host's prefixes too.
    fails: ["backup-iam-host-prefix-scoped", "backup-iam-no-wildcard-grants"],
    says: "allows 's3:*'",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Effect: "Allow",
        Action: "s3:*",
        Resource: "arn:aws:s3:::stellar-insights-backups/*",
      }),
  },
  {
    title: "a role policy allows kms:* on the key",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "allows 'kms:*'",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Effect: "Allow",
        Action: ["kms:*"],
        Resource: "arn:aws:kms:us-east-1:123456789012:key/k",
      }),
  },
  {
    title: "a role policy allows every action",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "allows every action ('*')",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Effect: "Allow",
        Action: "*",
        Resource: "arn:aws:logs:us-east-1:123456789012:log-group:x",
      }),
  },
  {
    title: "a role policy allows s3:GetObject on every resource",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "allows s3:GetObject on every resource ('*')",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Sid: "Wide",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "*",
      }),
  },
  {
    title: "a role policy allows kms:Decrypt on every key",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "on every resource ('arn:aws:kms:us-east-1:123456789012:key/*')",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "arn:aws:kms:us-east-1:123456789012:key/*",
      }),
  },
  {
    title: "a role's inline policy allows s3:*",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "inline policy 'wide': statement #1 allows 's3:*'",
    mutate: (p) => {
      first(p, T.role).inputs.inlinePolicies = [
        {
          name: "wide",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }],
          }),
        },
      ];
    },
  },
  {
    title: "a managed policy allows everything but iam:* (Allow with NotAction)",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "Allow with NotAction",
    mutate: (p) =>
      p.resources.push({
        type: T.iamPolicy,
        name: "fixture-not-action",
        parent: null,
        inputs: {
          policy: JSON.stringify({
            Statement: { Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b" },
          }),
        },
      }),
  },
  {
    title: "the access-log bucket policy allows s3:* to a principal",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "allows 's3:*'",
    mutate: (p) =>
      addStatement(onBucket(p, T.bucketPolicy, ACCESS_LOGS), {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: "s3:*",
        Resource: "arn:aws:s3:::stellar-insights-backups-access-logs/*",
      }),
  },
  {
    title: "a role policy gains a Deny s3:* statement (compliant)",
    fails: [],
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Effect: "Deny",
        Action: "s3:*",
        Resource: "*",
      }),
  },

  // backup-alarm-has-actions
  {
    title: "an alarm has no alarm actions",
    fails: ["backup-alarm-has-actions"],
    says: "has no alarmActions",
    mutate: (p) => (first(p, T.alarm).inputs.alarmActions = []),
  },
  {
    title: "an alarm has no OK actions",
    fails: ["backup-alarm-has-actions"],
    says: "has no okActions",
    mutate: (p) => delete first(p, T.alarm).inputs.okActions,
  },
  {
    title: "an alarm has its actions disabled",
    fails: ["backup-alarm-has-actions"],
    says: "actionsEnabled is false",
    mutate: (p) => (first(p, T.alarm).inputs.actionsEnabled = false),
  },

  // backup-schedule-dead-letter-and-retry
  {
    title: "a schedule has no dead-letter queue",
    fails: ["backup-schedule-dead-letter-and-retry"],
    says: "no deadLetterConfig",
    mutate: (p) => delete first(p, T.schedule).inputs.target.deadLetterConfig,
  },
  {
    title: "a schedule has no retry policy",
    fails: ["backup-schedule-dead-letter-and-retry"],
    says: "no retryPolicy",
    mutate: (p) => delete first(p, T.schedule).inputs.target.retryPolicy,
  },
  {
    title: "a schedule retries 0 times",
    fails: ["backup-schedule-dead-letter-and-retry"],
    says: "maximumRetryAttempts 0",
    mutate: (p) => (first(p, T.schedule).inputs.target.retryPolicy.maximumRetryAttempts = 0),
  },

  // backup-sns-topic-encrypted
  {
    title: "the paging topic is not encrypted",
    fails: ["backup-sns-topic-encrypted"],
    says: "has no kmsMasterKeyId",
    mutate: (p) => delete first(p, T.topic).inputs.kmsMasterKeyId,
  },

  // backup-sns-topic-tls-only
  {
    title: "the paging topic's policy lets requests through without TLS",
    fails: ["backup-sns-topic-tls-only"],
    says: "does not deny sns:* without TLS",
    mutate: (p) =>
      editJson(first(p, T.topicPolicy), "policy", (doc) => {
        doc.Statement = doc.Statement.filter((s: { Effect: string }) => s.Effect !== "Deny");
      }),
  },

  // backup-ssm-document-parameters-constrained
  {
    title: "a JSON document parameter has neither allowedPattern nor allowedValues",
    fails: ["backup-ssm-document-parameters-constrained"],
    says: "parameter 'DryRun' has neither allowedPattern nor allowedValues",
    mutate: (p) =>
      editJson(
        all(p, T.document).find((d) =>
          String(d.inputs.content).includes('"DryRun"'),
        ) as MutableResource,
        "content",
        (doc) => {
          delete doc.parameters.DryRun.allowedValues;
        },
      ),
  },
  {
    title: "a YAML document parameter has an empty allowedValues",
    fails: ["backup-ssm-document-parameters-constrained"],
    says: "parameter 'Target' has neither allowedPattern nor allowedValues",
    mutate: (p) =>
      p.resources.push({
        type: T.document,
        name: "fixture-yaml",
        parent: null,
        inputs: YAML_DOCUMENT,
      }),
  },
  {
    title: "a document's content is not JSON",
    fails: ["backup-ssm-document-parameters-constrained"],
    says: "content is not valid JSON",
    mutate: (p) => (first(p, T.document).inputs.content = "{ not json"),
  },

  // backup-log-group-retention
  {
    title: "a log group keeps events forever",
    fails: ["backup-log-group-retention"],
    says: "has no retentionInDays",
    mutate: (p) => delete first(p, T.logGroup).inputs.retentionInDays,
  },

  // backup-bucket-kms-encrypted
  {
    title: "the backup bucket encrypts with SSE-S3",
    fails: ["backup-bucket-kms-encrypted"],
    says: 'encrypts with "AES256" instead of SSE-KMS',
    mutate: (p) => {
      const rule = onBucket(p, T.encryption, BACKUPS).inputs.rules[0]
        .applyServerSideEncryptionByDefault;
      rule.sseAlgorithm = "AES256";
      delete rule.kmsMasterKeyId;
    },
  },
  {
    title: "the backup bucket uses SSE-KMS without a key of its own",
    fails: ["backup-bucket-kms-encrypted"],
    says: "without kmsMasterKeyId",
    mutate: (p) =>
      delete onBucket(p, T.encryption, BACKUPS).inputs.rules[0].applyServerSideEncryptionByDefault
        .kmsMasterKeyId,
  },
  {
    title: "the backup bucket's encryption configuration is removed",
    fails: ["backup-bucket-kms-encrypted"],
    says: "has no server-side encryption configuration",
    mutate: (p) => remove(p, onBucket(p, T.encryption, BACKUPS)),
  },

  // backup-bucket-versioning-enabled
  {
    title: "versioning is suspended",
    fails: ["backup-bucket-versioning-enabled"],
    says: `is "Suspended", not 'Enabled'`,
    mutate: (p) =>
      (onBucket(p, T.versioning, BACKUPS).inputs.versioningConfiguration.status = "Suspended"),
  },
  {
    title: "the versioning resource is removed",
    fails: ["backup-bucket-versioning-enabled"],
    says: "has no versioning configuration",
    mutate: (p) => remove(p, onBucket(p, T.versioning, BACKUPS)),
  },

  // backup-bucket-public-access-blocked
  ...(
    ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const
  ).map((flag): Case => ({
    title: `the backup bucket's public access block turns ${flag} off`,
    fails: ["backup-bucket-public-access-blocked"],
    says: `leaves ${flag} off`,
    mutate: (p) => (onBucket(p, T.publicAccessBlock, BACKUPS).inputs[flag] = false),
  })),
  {
    title: "the access-log bucket's public access block is removed",
    fails: ["backup-bucket-public-access-blocked"],
    says: "access-logs bucket 'stellar-insights-backups-access-logs' has no public access block",
    mutate: (p) => remove(p, onBucket(p, T.publicAccessBlock, ACCESS_LOGS)),
  },

  // backup-bucket-tls-only
  {
    title: "the TLS denial loses its SecureTransport condition",
    fails: ["backup-bucket-tls-only"],
    says: "does not deny s3:* without TLS",
    mutate: (p) =>
      editJson(
        onBucket(p, T.bucketPolicy, BACKUPS),
        "policy",
        (doc) => delete doc.Statement[0].Condition,
      ),
  },
  {
    title: "the TLS denial covers the bucket but not its objects",
    fails: ["backup-bucket-tls-only"],
    says: "on its objects",
    mutate: (p) =>
      editJson(onBucket(p, T.bucketPolicy, BACKUPS), "policy", (doc) => {
        doc.Statement[0].Resource = doc.Statement[0].Resource.filter(
          (r: string) => !r.endsWith("/*"),
        );
      }),
  },
  {
    title: "the backup bucket's policy is removed",
    fails: ["backup-bucket-tls-only"],
    says: "has no bucket policy",
    mutate: (p) => remove(p, onBucket(p, T.bucketPolicy, BACKUPS)),
  },
  {
    title: "the access-log bucket's policy drops its TLS denial",
    fails: ["backup-bucket-tls-only"],
    says: "access-logs bucket",
    mutate: (p) =>
      editJson(onBucket(p, T.bucketPolicy, ACCESS_LOGS), "policy", (doc) => {
        doc.Statement = doc.Statement.filter((s: { Effect: string }) => s.Effect !== "Deny");
      }),
  },

  // backup-bucket-access-logging
  {
    title: "access logging is removed",
    fails: ["backup-bucket-access-logging"],
    says: "has no access logging",
    mutate: (p) => remove(p, onBucket(p, T.logging, BACKUPS)),
  },
  {
    title: "the backup bucket logs into itself",
    fails: ["backup-bucket-access-logging"],
    says: "logs into itself",
    mutate: (p) => {
      const logging = onBucket(p, T.logging, BACKUPS);
      logging.inputs.targetBucket = logging.inputs.bucket;
    },
  },

  // backup-bucket-configured-once
  {
    title: "the backup bucket gets a second versioning resource",
    fails: ["backup-bucket-configured-once"],
    says: "has 2 BucketVersioning resources",
    mutate: (p) =>
      p.resources.push({
        ...structuredClone(onBucket(p, T.versioning, BACKUPS)),
        name: "fixture-second-versioning",
      }),
  },
  {
    title: "the backup bucket loses its role tag",
    fails: ["backup-bucket-configured-once"],
    says: "found 0",
    mutate: (p) => delete bucketWithRole(p, BACKUPS).inputs.tags[ROLE_TAG],
  },

  // backup-lifecycle-covers-catalog
  {
    title: "configs expire after 30 days instead of 90",
    fails: ["backup-lifecycle-covers-catalog"],
    says: "expires objects under 'configs/' after 30 days, but 'configs/' needs at least 90",
    mutate: (p) => (lifecycleRule(p, "configs/").expiration.days = 30),
  },
  {
    title: "the logs rule is removed",
    fails: ["backup-lifecycle-covers-catalog"],
    says: "no enabled lifecycle rule expires everything under 'logs/'",
    mutate: (p) => {
      const lifecycle = onBucket(p, T.lifecycle, BACKUPS);
      lifecycle.inputs.rules = lifecycle.inputs.rules.filter(
        (r: LifecycleRuleJson) => r.filter?.prefix !== "logs/",
      );
    },
  },
  {
    title: "the redis rule is disabled",
    fails: ["backup-lifecycle-covers-catalog"],
    says: "'redis/'",
    mutate: (p) => (lifecycleRule(p, "redis/").status = "Disabled"),
  },
  {
    title: "a narrower rule expires part of configs/ after 1 day",
    fails: ["backup-lifecycle-covers-catalog"],
    says: "under 'configs/tmp/' after 1 day",
    mutate: (p) => addLifecycleRule(p, "configs/tmp/", 1),
  },
  {
    title: "configs expire after 365 days (compliant: longer than the catalog)",
    fails: [],
    mutate: (p) => (lifecycleRule(p, "configs/").expiration.days = 365),
  },

  // backup-lifecycle-engine-backstop
  {
    title: "the engine's backstop equals the engine's retention",
    fails: ["backup-lifecycle-engine-backstop"],
    says: "needs more than 30: the PostgreSQL engine keeps 30 days there",
    mutate: (p) => (lifecycleRule(p, "postgres/").expiration.days = 30),
  },
  {
    title: "the engine's backstop rule is removed",
    fails: ["backup-lifecycle-engine-backstop"],
    says: "no enabled lifecycle rule expires everything under 'postgres/'",
    mutate: (p) => {
      const lifecycle = onBucket(p, T.lifecycle, BACKUPS);
      lifecycle.inputs.rules = lifecycle.inputs.rules.filter(
        (r: LifecycleRuleJson) => r.filter?.prefix !== "postgres/",
      );
    },
  },
  {
    title: "the stack exports an engine retention as long as the backstop",
    fails: ["backup-lifecycle-engine-backstop"],
    says: "(stack output postgresRetention)",
    mutate: (p) => (p.outputs.postgresRetention = lifecycleRule(p, "postgres/").expiration.days),
  },
  {
    title: "a rule expires one host's WAL after 7 days",
    fails: ["backup-lifecycle-engine-backstop"],
    says: "under 'postgres/db1/wal_005/' after 7 days",
    mutate: (p) => addLifecycleRule(p, "postgres/db1/wal_005/", 7),
  },
  {
    title: "the engine's backstop is 31 days (compliant: one day past the engine)",
    fails: [],
    mutate: (p) => (lifecycleRule(p, "postgres/").expiration.days = 31),
  },
  {
    title: "a whole-bucket rule expires everything after 7 days",
    fails: ["backup-lifecycle-covers-catalog", "backup-lifecycle-engine-backstop"],
    says: "under the whole bucket after 7 days",
    mutate: (p) => addLifecycleRule(p, "", 7),
  },
  {
    title: "the lifecycle configuration is removed",
    fails: ["backup-lifecycle-covers-catalog", "backup-lifecycle-engine-backstop"],
    mutate: (p) => remove(p, onBucket(p, T.lifecycle, BACKUPS)),
  },

  // backup-catalog-jobs-scheduled
  {
    title: "the config backup's schedules are removed",
    fails: ["backup-catalog-jobs-scheduled"],
    says: "catalog job 'config-backup' (Archives the configuration files; uploads only when they changed) has no enabled schedule that sends SSM document 'StellarBackup-prod-config-backup'",
    mutate: (p) => schedulesOf(p, "config-backup").forEach((s) => remove(p, s)),
  },
  {
    title: "the log-shipping schedules are disabled",
    fails: ["backup-catalog-jobs-scheduled"],
    says: "'logs-ship'",
    mutate: (p) => schedulesOf(p, "logs-ship").forEach((s) => (s.inputs.state = "DISABLED")),
  },
  {
    title: "the Redis backup runs daily, past its 1-hour RPO",
    fails: ["backup-catalog-jobs-scheduled"],
    says: "leaves up to 1 day between runs, longer than the 'redis' RPO of 1 hour",
    mutate: (p) =>
      schedulesOf(p, "redis-backup").forEach(
        (s) => (s.inputs.scheduleExpression = "cron(0 2 * * ? *)"),
      ),
  },
  {
    title: "the hourly Redis cron is read in Europe/Berlin: the repeated hour runs once",
    fails: ["backup-catalog-jobs-scheduled"],
    says: "(cron(30 * * * ? *), Europe/Berlin) leaves up to 2 hours between runs, longer than the 'redis' RPO of 1 hour",
    mutate: (p) =>
      schedulesOf(p, "redis-backup").forEach(
        (s) => (s.inputs.scheduleExpressionTimezone = "Europe/Berlin"),
      ),
  },
  {
    title: "the Redis schedules send another stack's document",
    fails: ["backup-catalog-jobs-scheduled"],
    says: "'redis-backup'",
    mutate: (p) =>
      schedulesOf(p, "redis-backup").forEach((s) => {
        const input = JSON.parse(s.inputs.target.input);
        input.DocumentName = documentName("staging", "redis-backup");
        s.inputs.target.input = JSON.stringify(input);
      }),
  },

  // backup-catalog-rows-age-alarmed
  {
    title: "the Redis age alarms are removed",
    fails: ["backup-catalog-rows-age-alarmed"],
    says: "catalog row 'redis' (Redis RDB) has no alarm on BackupAgeSeconds with BackupType=redis",
    mutate: (p) =>
      alarmsOn(p, [Metric.backupAgeSeconds], "BackupType", "redis").forEach((a) => remove(p, a)),
  },
  {
    title: "the WAL lag alarms watch another row",
    fails: ["backup-catalog-rows-age-alarmed"],
    says: "catalog row 'wal'",
    mutate: (p) =>
      alarmsOn(p, [Metric.walArchiveLagSeconds], "BackupType", "wal").forEach((a) =>
        rewriteQuery(a, (q) => ({ ...q, where: { ...q.where, BackupType: "postgres" } })),
      ),
  },

  // backup-no-governance-bypass
  {
    title: "a role policy allows s3:BypassGovernanceRetention",
    fails: ["backup-no-governance-bypass"],
    says: "allows s3:BypassGovernanceRetention; only a break-glass role",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Effect: "Allow",
        Action: ["s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"],
        Resource: "arn:aws:s3:::stellar-insights-backups/postgres/prod-db-1/*",
      }),
  },
  {
    title: "a bucket policy allows s3:Bypass* to another account's role",
    fails: ["backup-no-governance-bypass"],
    says: "statement 'Bypass' allows s3:BypassGovernanceRetention",
    mutate: (p) =>
      addStatement(onBucket(p, T.bucketPolicy, BACKUPS), {
        Sid: "Bypass",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::210987654321:role/ops" },
        Action: "s3:Bypass*",
        Resource: "arn:aws:s3:::stellar-insights-backups/*",
      }),
  },

  // backup-bucket-object-lock-configured
  {
    title: "the backup bucket's lock has no valid mode",
    fails: ["backup-bucket-object-lock-configured"],
    says: 'has mode "LEGAL_HOLD"; allowed: GOVERNANCE, COMPLIANCE',
    mutate: (p) => {
      lockRetention(p, BACKUPS).mode = "LEGAL_HOLD";
      lockRetention(p, REPLICA).mode = "LEGAL_HOLD";
    },
  },
  {
    title: "the backup bucket is locked 45 days, past the 30-day retention of the shortest rows",
    fails: ["backup-bucket-object-lock-configured"],
    says: "keeps every version 45 days, longer than the 30-day retention of 'postgres'",
    mutate: (p) => {
      lockRetention(p, BACKUPS).days = 45;
      lockRetention(p, REPLICA).days = 45;
    },
  },
  {
    title: "the backup bucket's lock has no default retention",
    fails: ["backup-bucket-object-lock-configured"],
    says: "has no default retention: new backups are not locked",
    mutate: (p) => delete onBucket(p, T.objectLock, BACKUPS).inputs.rule,
  },
  {
    title: "the replica's lock is removed while the backup bucket stays locked",
    fails: ["backup-bucket-object-lock-configured"],
    says: "replica bucket 'stellar-insights-backups-replica' has no Object Lock while the backup bucket is locked",
    mutate: (p) => remove(p, onBucket(p, T.objectLock, REPLICA)),
  },
  {
    title: "the replica is locked in COMPLIANCE mode while the primary is GOVERNANCE",
    fails: ["backup-bucket-object-lock-configured"],
    says: "(COMPLIANCE, 14 days) differs from the backup bucket's (GOVERNANCE, 14 days)",
    mutate: (p) => (lockRetention(p, REPLICA).mode = "COMPLIANCE"),
  },

  // backup-replication-configured
  {
    title: "replication copies delete markers",
    fails: ["backup-replication-configured"],
    says: "replicates delete markers",
    mutate: (p) => (replicationRule(p).deleteMarkerReplication.status = "Enabled"),
  },
  {
    title: "replication skips SSE-KMS objects",
    fails: ["backup-replication-configured"],
    says: "skips SSE-KMS objects",
    mutate: (p) =>
      (replicationRule(p).sourceSelectionCriteria.sseKmsEncryptedObjects.status = "Disabled"),
  },
  {
    title: "replication names no replica key",
    fails: ["backup-replication-configured"],
    says: "names no replica KMS key",
    mutate: (p) => delete replicationRule(p).destination.encryptionConfiguration,
  },
  {
    title: "the replication configuration is removed",
    fails: ["backup-replication-configured"],
    says: "no replication rule of the backup bucket copies into replica bucket 'stellar-insights-backups-replica'",
    mutate: (p) => remove(p, onBucket(p, T.replication, BACKUPS)),
  },

  // the replica is hardened like the primary
  {
    title: "the replica's versioning is suspended",
    fails: ["backup-bucket-versioning-enabled"],
    says: "versioning of replica bucket 'stellar-insights-backups-replica' is \"Suspended\"",
    mutate: (p) =>
      (onBucket(p, T.versioning, REPLICA).inputs.versioningConfiguration.status = "Suspended"),
  },
  {
    title: "the replica encrypts with SSE-S3",
    fails: ["backup-bucket-kms-encrypted"],
    says: "encryption of replica bucket 'stellar-insights-backups-replica' encrypts with \"AES256\"",
    mutate: (p) =>
      (onBucket(p, T.encryption, REPLICA).inputs.rules = [
        { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ]),
  },
  {
    title: "the replica's public access block leaves restrictPublicBuckets off",
    fails: ["backup-bucket-public-access-blocked"],
    says: "public access block of replica bucket 'stellar-insights-backups-replica' leaves restrictPublicBuckets off",
    mutate: (p) => (onBucket(p, T.publicAccessBlock, REPLICA).inputs.restrictPublicBuckets = false),
  },
  {
    title: "the replica's bucket policy loses its TLS-only statement",
    fails: ["backup-bucket-tls-only"],
    says: "bucket policy of replica bucket 'stellar-insights-backups-replica' does not deny s3:* without TLS",
    mutate: (p) =>
      editJson(onBucket(p, T.bucketPolicy, REPLICA), "policy", (doc) => (doc.Statement = [])),
  },

  // backup-catalog-jobs-heartbeat-alarmed
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

  // backup-snapshot-policy-covers-catalog
  {
    title: "snapshots are kept 21 days instead of 28",
    fails: ["backup-snapshot-policy-covers-catalog"],
    says: "keeps snapshots 21 days, less than 28 days",
    mutate: (p) =>
      all(p, T.dlm).forEach(
        (d) =>
          (d.inputs.policyDetails.schedules[0].retainRule = { interval: 21, intervalUnit: "DAYS" }),
      ),
  },
  {
    title: "the snapshot policies are disabled",
    fails: ["backup-snapshot-policy-covers-catalog"],
    says: "has no enabled DLM lifecycle policy that covers it",
    mutate: (p) => all(p, T.dlm).forEach((d) => (d.inputs.state = "DISABLED")),
  },
  {
    title: "snapshots are taken twice a month, past the 7-day RPO",
    fails: ["backup-snapshot-policy-covers-catalog"],
    says: "less often than the RPO of 7 days",
    mutate: (p) =>
      all(p, T.dlm).forEach(
        (d) =>
          (d.inputs.policyDetails.schedules[0].createRule = {
            cronExpression: "cron(0 3 1,15 * ? *)",
          }),
      ),
  },
  {
    title: "snapshots are kept as the 4 newest weekly ones (compliant: 4 x 7 days)",
    fails: [],
    mutate: (p) =>
      all(p, T.dlm).forEach((d) => (d.inputs.policyDetails.schedules[0].retainRule = { count: 4 })),
  },
  // backup-no-plaintext-secrets
  {
    title: "the shipped host config carries the repository passphrase",
    fails: ["backup-no-plaintext-secrets"],
    says: "input 'content' holds a repository passphrase in plain text",
    mutate: (p) =>
      editJson(named(p, "host-plane-artifact-host-config"), "content", (config) => {
        config.repositoryCipherPass = "correct-horse-battery-staple-0123456789";
      }),
  },
  {
    title: "a job document exports pgBackRest's cipher passphrase",
    fails: ["backup-no-plaintext-secrets"],
    says: "holds a pgBackRest cipher passphrase in plain text",
    mutate: (p) =>
      editJson(named(p, "host-plane-doc-pg-backup"), "content", (doc) => {
        doc.mainSteps[0].inputs.runCommand.unshift(
          "export PGBACKREST_REPO1_CIPHER_PASS=s3cr3t-value",
        );
      }),
  },
  {
    title: "the passphrase parameter is created by the stack as a String",
    fails: ["backup-no-plaintext-secrets"],
    says: "is named like a secret but is a String",
    mutate: (p) =>
      p.resources.push({
        type: T.ssmParameter,
        name: "cipher-pass",
        parent: null,
        inputs: {
          name: "/stellar-insights-backups/postgres-repository-cipher-pass",
          type: "String",
        },
      }),
  },
  // backup-client-side-encryption-complete
  {
    title: "the host role loses its client-side encryption policy",
    fails: ["backup-client-side-encryption-complete"],
    says: "no identity policy allows ssm:GetParameter on the passphrase parameter",
    mutate: (p) => remove(p, named(p, "db-hosts-prod-db-1-client-side-encryption")),
  },
  {
    title: "the hosts may read every parameter",
    fails: ["backup-client-side-encryption-complete", "backup-host-credentials-bound"],
    says: "grant the passphrase parameter only",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-client-side-encryption"), {
        Sid: "ReadAll",
        Effect: "Allow",
        Action: "ssm:GetParameter",
        Resource: "arn:aws:ssm:us-east-1:123456789012:parameter/*",
      }),
  },
  {
    title: "the passphrase's key may be used for decryption outside SSM",
    fails: ["backup-client-side-encryption-complete"],
    says: "no identity policy allows kms:Decrypt through SSM",
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-client-side-encryption"), "policy", (doc) => {
        // In both regions: the replica's copy of the passphrase is read the same way.
        for (const s of doc.Statement.filter((st: { Sid: string }) =>
          st.Sid.endsWith("CipherPassThroughSsm"),
        ))
          delete s.Condition.StringEquals["kms:ViaService"];
      }),
  },
  {
    title: "data keys are granted without the stack's encryption context",
    fails: ["backup-client-side-encryption-complete"],
    says: "kms:EncryptionContext:stellar-backup-stack",
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-client-side-encryption"), "policy", (doc) => {
        const s = doc.Statement.find(
          (st: { Sid: string }) => st.Sid === "EnvelopeEncryptOwnBackups",
        );
        delete s.Condition.StringEquals["kms:EncryptionContext:stellar-backup-stack"];
      }),
  },
  // backup-host-credentials-bound
  {
    title: "a host role carries AmazonSSMManagedInstanceCore again",
    fails: ["backup-host-credentials-bound"],
    says: "db-hosts-prod-db-1-ssm-core attaches arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore, which reads every SSM parameter",
    mutate: (p) =>
      p.resources.push({
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "db-hosts-prod-db-1-ssm-core",
        parent: "db-hosts",
        inputs: {
          role: "db-hosts-prod-db-1-role",
          policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        },
      }),
  },
  {
    title: "the SSM agent's policy reads every parameter",
    fails: ["backup-client-side-encryption-complete", "backup-host-credentials-bound"],
    says: "statement 'SsmAgentCore' allows ssm:getparameter, ssm:getparameters on *",
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-ssm-agent"), "policy", (doc) => {
        const s = doc.Statement.find((st: { Sid: string }) => st.Sid === "SsmAgentCore");
        s.Action.push("ssm:GetParameter", "ssm:GetParameters");
      }),
  },
  {
    title: "a host may seal envelopes claiming any host",
    fails: ["backup-host-credentials-bound"],
    says: "allows kms:GenerateDataKey for envelopes and has no StringEquals condition on kms:encryptioncontext:stellar-backup-host",
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-client-side-encryption"), "policy", (doc) => {
        const s = doc.Statement.find(
          (st: { Sid: string }) => st.Sid === "EnvelopeEncryptOwnBackups",
        );
        delete s.Condition.StringEquals["kms:EncryptionContext:stellar-backup-host"];
      }),
  },
  {
    title: "a host may open every host's envelopes",
    fails: ["backup-host-credentials-bound"],
    says: "allows kms:Decrypt of envelopes and has no StringEquals condition on kms:encryptioncontext:stellar-backup-host",
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-client-side-encryption"), "policy", (doc) => {
        const s = doc.Statement.find(
          (st: { Sid: string }) => st.Sid === "EnvelopeDecryptRestorableBackups",
        );
        delete s.Condition.StringEquals["kms:EncryptionContext:stellar-backup-host"];
      }),
  },
  {
    title: "a host's envelope grant names a host the stack does not have",
    fails: ["backup-host-credentials-bound"],
    says: 'binds kms:encryptioncontext:stellar-backup-host to ["*"], not to hosts of the stack (prod-db-1)',
    mutate: (p) =>
      editJson(named(p, "db-hosts-prod-db-1-client-side-encryption"), "policy", (doc) => {
        const s = doc.Statement.find(
          (st: { Sid: string }) => st.Sid === "EnvelopeEncryptOwnBackups",
        );
        s.Condition.StringEquals["kms:EncryptionContext:stellar-backup-host"] = "*";
      }),
  },
  {
    title: "the key alias the hosts resolve is gone",
    fails: ["backup-client-side-encryption-complete"],
    says: "names the KMS alias alias/stellar-insights-backups-envelopes, but the stack creates no such alias",
    mutate: (p) => {
      // In both regions: the replica's alias has the same name.
      remove(p, named(p, "envelope-key-alias"));
      remove(p, named(p, "envelope-key-replica-alias"));
    },
  },
  {
    title: "the Redis restore accepts plaintext backups by default",
    fails: ["backup-client-side-encryption-complete"],
    says: 'defaults AllowPlaintext to "yes"',
    mutate: (p) =>
      editJson(named(p, "host-plane-doc-redis-restore"), "content", (doc) => {
        doc.parameters.AllowPlaintext.default = "yes";
      }),
  },
];

describe("each mutation of the prod plan fails exactly its policies", () => {
  test.each(cases)("$title", async ({ fails, says, mutate }) => {
    const plan = await prodPlanCopy();
    mutate(plan);
    const evaluation = await evaluate(plan);
    expect(violatedPolicies(evaluation)).toEqual([...fails].sort());
    if (says !== undefined) {
      expect(evaluation.violations.map((v) => v.message).join("\n")).toContain(says);
    }
  });
});

test("every policy of the pack is broken by at least one mutation", async () => {
  const { BACKUP_POLICIES } = await import("../../policies/policies");
  const covered = new Set(cases.flatMap((c) => c.fails));
  expect(BACKUP_POLICIES.map((p) => p.name).filter((name) => !covered.has(name))).toEqual([]);
});

test("a bypass grant to the break-glass role the pack config names passes; to any other role it fails", async () => {
  const plan = await prodPlanCopy();
  const hostPolicy = only(plan, T.rolePolicy, (r) => r.name === "db-hosts-prod-db-1-backup-policy");
  hostPolicy.inputs.role = "break-glass";
  addStatement(hostPolicy, {
    Effect: "Allow",
    Action: "s3:BypassGovernanceRetention",
    Resource: "arn:aws:s3:::stellar-insights-backups/postgres/prod-db-1/*",
  });
  const named = await evaluate(plan, {
    "backup-no-governance-bypass": { breakGlassRoles: ["break-glass"] },
  });
  expect(violatedPolicies(named)).toEqual([]);
  const other = await evaluate(plan, {
    "backup-no-governance-bypass": { breakGlassRoles: ["someone-else"] },
  });
  expect(violatedPolicies(other)).toEqual(["backup-no-governance-bypass"]);
});
