/**
 * The backup stack: load and validate config, build the components, export what operators need.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BUNDLE_DIR, HOST_NODE_MAJOR } from "./build/bundleJobs";
import { buildHostPlane } from "./build/hostPlane";
import { JOBS, SHIPPED_JOB_KEYS, postgresRetentionDays } from "./catalog";
import { loadStackConfig } from "./config/load";
import { BackupBucket } from "./components/backupBucket";
import { BackupReplica } from "./components/backupReplica";
import { EnvelopeKey } from "./components/envelopeKey";
import { REPLICATION_RULE_ID } from "./content/aws/replication";
import { HostAccess } from "./components/hostAccess";
import { HostConfiguration } from "./components/hostConfiguration";
import { BackupAlarms } from "./components/backupAlarms";
import { BackupDashboard } from "./components/backupDashboard";
import { FailureEvents } from "./components/failureEvents";
import { JobSchedules } from "./components/jobSchedules";
import { Paging } from "./components/paging";
import { POST_DEPLOY_CHECK_JOB, PostDeployCheck } from "./components/postDeployCheck";
import { RestoreVerificationImage } from "./components/restoreVerificationImage";
import { SnapshotPolicy } from "./components/snapshotPolicy";
import { stackTags } from "./tags";

/** Days the job output log group keeps events (a CloudWatch Logs retention value). */
const JOB_LOG_RETENTION_DAYS = 90;

const { config, hostConfig } = loadStackConfig();
const tags = stackTags(pulumi.getProject(), pulumi.getStack());

const backupBucket = new BackupBucket("backups", {
  bucketName: config.bucketName,
  lifecycle: {
    retentionDays: config.retentionDays,
    postgresBackstopDays: config.postgresBackstopDays,
  },
  accessLogRetentionDays: config.accessLogRetentionDays,
  ...(config.objectLock ? { objectLock: config.objectLock } : {}),
  tags,
});
const accountId = aws.getCallerIdentityOutput().accountId;
const replica = config.replication
  ? new BackupReplica("replica", {
      replication: config.replication,
      sourceRegion: config.region,
      accountId,
      source: {
        bucketName: backupBucket.bucketName,
        bucketArn: backupBucket.bucketArn,
        kmsKeyArn: backupBucket.kmsKeyArn,
        versioning: backupBucket.versioning,
      },
      lifecycle: {
        retentionDays: config.retentionDays,
        postgresBackstopDays: config.postgresBackstopDays,
      },
      ...(config.objectLock ? { objectLock: config.objectLock } : {}),
      tags,
    })
  : undefined;

const stack = pulumi.getStack();
const envelopeKey = config.clientSideEncryption.enabled
  ? new EnvelopeKey("envelope-key", {
      bucketName: config.bucketName,
      ...(config.replication ? { replicaRegion: config.replication.region } : {}),
      tags,
    })
  : undefined;

const hostAccess = new HostAccess("db-hosts", {
  bucketArn: backupBucket.bucketArn,
  kmsKeyArn: backupBucket.kmsKeyArn,
  metricNamespace: config.metricNamespace,
  region: config.region,
  ...(replica && config.replication
    ? {
        replica: {
          bucketArn: replica.bucketArn,
          kmsKeyArn: replica.kmsKeyArn,
          region: config.replication.region,
        },
      }
    : {}),
  logRetentionDays: JOB_LOG_RETENTION_DAYS,
  hosts: config.hosts,
  tags,
  ...(config.clientSideEncryption.enabled && envelopeKey
    ? {
        clientSideEncryption: {
          stack,
          accountId,
          cipherPassParameter: config.clientSideEncryption.cipherPassParameter,
          envelopeKeyArn: envelopeKey.keyArn,
          ...(envelopeKey?.replicaKeyArn
            ? { replicaEnvelopeKeyArn: envelopeKey.replicaKeyArn }
            : {}),
        },
      }
    : {}),
});

// Shipping the host plane: artifacts, SSM documents, and the association that keeps hosts converged.
const hostPlane = buildHostPlane(stack, config, hostConfig);
const hostConfiguration = new HostConfiguration("host-plane", {
  stack,
  bucketName: backupBucket.bucketName,
  kmsKeyArn: backupBucket.kmsKeyArn,
  hostTarget: config.hostTarget,
  artifacts: hostPlane.artifacts,
  documents: hostPlane.documents,
  tags,
});
/** The documents the schedules send: each schedule waits for its document. */
const jobDocumentNames = hostConfiguration.documentNames;
/** What the post-deploy check waits for and re-runs on. */
const hostPlaneReady: pulumi.Resource[] = [hostConfiguration];
const hostPlaneVersion: pulumi.Input<string>[] = [hostConfiguration.manifestKey];

// Running and watching the jobs: schedules, paging, alarms, snapshots, dashboard, restore image.

const paging = new Paging("paging", {
  stack,
  region: config.region,
  accountId,
  alertEmail: config.alertEmail,
  alertHttpsEndpoint: config.alertHttpsEndpoint,
  tags,
});
const jobSchedules = new JobSchedules("job-schedules", {
  stack,
  region: config.region,
  accountId,
  schedules: config.schedules,
  timezone: config.timezone,
  hostTarget: config.hostTarget,
  documentNames: jobDocumentNames,
  // The hosts' role may write this group, and it has a retention.
  outputLogGroupName: hostAccess.jobLogGroupName,
  tags,
});
new FailureEvents("failure-events", {
  stack,
  topicArn: paging.topicArn,
  // A failed install (the association re-runs it every 30 minutes) pages too.
  documentNames: [
    ...SHIPPED_JOB_KEYS.map((job) => jobDocumentNames[job]),
    jobDocumentNames.install,
  ],
  outputLogGroupName: hostAccess.jobLogGroupName,
  tags,
});
const snapshotPolicy = new SnapshotPolicy("snapshots", {
  stack,
  cronExpression: config.schedules.snapshots,
  retainDays: config.retentionDays.snapshots,
  hostTarget: config.hostTarget,
  region: config.region,
  accountId,
  tags,
});
const backupAlarms = new BackupAlarms("alarms", {
  stack,
  topicArn: paging.topicArn,
  metricNamespace: config.metricNamespace,
  schedules: config.schedules,
  timezone: config.timezone,
  thresholds: config.thresholds,
  deadLetterQueueName: jobSchedules.deadLetterQueueName,
  snapshotPolicyId: snapshotPolicy.policyId,
  hosts: Object.keys(config.hosts),
  standbyBackup: config.postgresBackupFrom.source === "standby",
  ...(config.replication?.replicationTimeControl
    ? {
        replication: {
          sourceBucket: config.bucketName,
          destinationBucket: config.replication.bucketName,
          ruleId: REPLICATION_RULE_ID,
        },
      }
    : {}),
  tags,
});
const dashboard = new BackupDashboard("dashboard", {
  stack,
  region: config.region,
  metricNamespace: config.metricNamespace,
  bucketName: config.bucketName,
  thresholds: config.thresholds,
});
const restoreImage = new RestoreVerificationImage("restore-verification", {
  stack,
  region: config.region,
  accountId,
  pgMajorVersion: config.pgMajorVersion,
  postgresEngine: config.postgresEngine,
  nodeMajorVersion: HOST_NODE_MAJOR,
  restoreTestBundleDir: BUNDLE_DIR,
  buildImage: hostPlane.bundles.some((bundle) => bundle.name === "pg-restore-test"),
  tags,
});
// The check runs a job on the hosts: only once that job ships (synth lists it until then).
if (config.postDeployCheck && JOBS[POST_DEPLOY_CHECK_JOB].shipped) {
  new PostDeployCheck("post-deploy-check", {
    stack,
    region: config.region,
    hostTarget: config.hostTarget,
    documentName: jobDocumentNames[POST_DEPLOY_CHECK_JOB],
    outputLogGroupName: hostAccess.jobLogGroupName,
    after: hostPlaneReady,
    triggers: hostPlaneVersion,
  });
}

export const bucketName = backupBucket.bucketName;
export const bucketArn = backupBucket.bucketArn;
export const kmsKeyArn = backupBucket.kmsKeyArn;
/** The multi-Region key client-side encryption seals under, and its replica (none: option off). */
export const envelopeKeyArn = envelopeKey?.keyArn;
export const replicaEnvelopeKeyArn = envelopeKey?.replicaKeyArn;
/** The SSM SecureString the operator creates for the PostgreSQL repository passphrase (none: off). */
export const repositoryCipherPassParameter = config.clientSideEncryption.enabled
  ? config.clientSideEncryption.cipherPassParameter
  : undefined;
/** The cross-region copy (stack config `replication`): where to restore from when the primary's region is down. */
export const replicaBucketName = replica?.bucketName;
export const replicaRegion = config.replication?.region;
export const replicaKmsKeyArn = replica?.kmsKeyArn;
/** The default Object Lock of both buckets (stack config `objectLock`). */
export const objectLock = config.objectLock;
export const postgresRepositoryRoot = pulumi.interpolate`s3://${backupBucket.bucketName}/postgres`;
export const postgresRetention = postgresRetentionDays(config.retentionDays);
/** Host id → the instance profile to attach to that database host. */
export const hostInstanceProfiles = hostAccess.instanceProfileNames;
export const jobLogGroup = hostAccess.jobLogGroupName;
export const alertTopicArn = paging.topicArn;
export const scheduleNames = jobSchedules.scheduleNames;
export const scheduleDeadLetterQueue = jobSchedules.deadLetterQueueName;
export const alarmNames = backupAlarms.alarmNames;
export const dashboardName = dashboard.dashboardName;
export const snapshotPolicyId = snapshotPolicy.policyId;
export const restoreImageRepository = restoreImage.repositoryUrl;
export const hostManifestKey = hostConfiguration.manifestKey;
export const documentNames = hostConfiguration.documentNames;
/** What the hosts install, with the hashes the installer checks (synth writes the files beside the plan). */
export const hostArtifacts = hostPlane.artifacts.artifacts.map(
  ({ name, key, sha256, bytes, dest, mode }) => ({
    name,
    key,
    sha256,
    bytes,
    dest,
    mode,
  }),
);
