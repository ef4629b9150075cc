/**
 * The backup stack: load and validate config, build the components, export what operators need.
 */
import * as pulumi from "@pulumi/pulumi";
import { walgRetentionDays } from "./config/validate";
import { loadStackConfig } from "./config/load";
import { BackupBucket } from "./components/backupBucket";
import { HostAccess } from "./components/hostAccess";
import { stackTags } from "./tags";

/** Days the job output log group keeps events (a CloudWatch Logs retention value). */
const JOB_LOG_RETENTION_DAYS = 90;

const config = loadStackConfig();
const tags = stackTags(pulumi.getProject(), pulumi.getStack());

const backupBucket = new BackupBucket("backups", {
  bucketName: config.bucketName,
  lifecycle: { retentionDays: config.retentionDays, walgBackstopDays: config.walgBackstopDays },
  accessLogRetentionDays: config.accessLogRetentionDays,
  tags,
});

const hostAccess = new HostAccess("db-hosts", {
  bucketArn: backupBucket.bucketArn,
  kmsKeyArn: backupBucket.kmsKeyArn,
  metricNamespace: config.metricNamespace,
  region: config.region,
  logRetentionDays: JOB_LOG_RETENTION_DAYS,
  tags,
});

export const bucketName = backupBucket.bucketName;
export const bucketArn = backupBucket.bucketArn;
export const kmsKeyArn = backupBucket.kmsKeyArn;
export const walgS3PrefixRoot = pulumi.interpolate`s3://${backupBucket.bucketName}/postgres`;
export const walgRetention = walgRetentionDays(config.retentionDays);
export const hostInstanceProfile = hostAccess.instanceProfileName;
export const jobLogGroup = hostAccess.jobLogGroupName;
