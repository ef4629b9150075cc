import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { HostAccessEntry } from "../config/stackConfig";
import { clientSideEncryptionPolicy } from "../content/aws/clientSideEncryptionPolicy";
import { ec2AssumeRolePolicy, hostPolicy } from "../content/aws/hostPolicy";
import { ssmAgentPolicy } from "../content/aws/ssmAgentPolicy";
/** Each host role's tag naming the host it is for. */
export const HOST_ID_TAG = "stellar-insights:host-id";

export interface HostAccessArgs {
  readonly bucketArn: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly metricNamespace: string;
  readonly region: string;
  /** The cross-region replica the hosts may read from (stack config `replication`). */
  readonly replica?: {
    readonly bucketArn: pulumi.Input<string>;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly region: string;
  };
  /** Days the job output log group keeps its events. */
  readonly logRetentionDays: number;
  /** Stack config `hosts`: every database host by its S3 id, with its restore sources. */
  readonly hosts: Readonly<Record<string, HostAccessEntry>>;
  readonly tags: Readonly<Record<string, string>>;
  /** With client-side encryption on: the grants it needs, as a policy of their own. */
  readonly clientSideEncryption?: {
    readonly stack: string;
    readonly accountId: pulumi.Input<string>;
    /** The operator-created SSM SecureString holding the PostgreSQL repository passphrase. */
    readonly cipherPassParameter: string;
    /** The multi-Region envelope key (EnvelopeKey) and, with a replica, its replica key. */
    readonly envelopeKeyArn: pulumi.Input<string>;
    readonly replicaEnvelopeKeyArn?: pulumi.Input<string>;
  };
}

/**
 * The database hosts' identities: per host (stack config `hosts`), a role and instance profile that
 * can run SSM commands (the SSM agent's own grants, no parameter of the account but its own), write that host's own backup prefixes and read its restore sources' (see
 * `hostPolicy` for why one role per host), use the backup key through S3, publish the project's
 * metrics and write job logs, and nothing else. Attach `instanceProfileNames[<host id>]` to the
 * host's EC2 instance. Children are keyed by host id, so adding a host renames nothing.
 */
export class HostAccess extends pulumi.ComponentResource {
  readonly roles: Readonly<Record<string, aws.iam.Role>>;
  readonly instanceProfiles: Readonly<Record<string, aws.iam.InstanceProfile>>;
  readonly jobLogGroup: aws.cloudwatch.LogGroup;
  /** Host id → the instance profile to attach to that host. */
  readonly instanceProfileNames: pulumi.Output<Record<string, string>>;
  readonly jobLogGroupName: pulumi.Output<string>;

  constructor(name: string, args: HostAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:HostAccess", name, {}, opts);
    const child = { parent: this };

    this.jobLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-job-logs`,
      {
        name: `/stellar-insights-backup/${pulumi.getStack()}/jobs`,
        retentionInDays: args.logRetentionDays,
        tags: { ...args.tags },
      },
      child,
    );
    const roles: Record<string, aws.iam.Role> = {};
    const profiles: Record<string, aws.iam.InstanceProfile> = {};
    for (const [hostId, entry] of Object.entries(args.hosts)) {
      const tags = { ...args.tags, [HOST_ID_TAG]: hostId };
      const role = new aws.iam.Role(
        `${name}-${hostId}-role`,
        {
          description: `Database host ${hostId}: its backup jobs and SSM`,
          assumeRolePolicy: ec2AssumeRolePolicy(),
          tags,
        },
        child,
      );
      // AmazonSSMManagedInstanceCore without its reads of every parameter (ssmAgentPolicy.ts).
      new aws.iam.RolePolicy(
        `${name}-${hostId}-ssm-agent`,
        { role: role.id, policy: ssmAgentPolicy() },
        child,
      );
      new aws.iam.RolePolicy(
        `${name}-${hostId}-backup-policy`,
        {
          role: role.id,
          policy: pulumi
            .all([
              args.bucketArn,
              args.kmsKeyArn,
              this.jobLogGroup.arn,
              args.replica?.bucketArn ?? "",
              args.replica?.kmsKeyArn ?? "",
            ])
            .apply(([bucketArn, kmsKeyArn, logGroupArn, replicaBucketArn, replicaKmsKeyArn]) =>
              hostPolicy({
                bucketArn,
                kmsKeyArn,
                logGroupArn,
                metricNamespace: args.metricNamespace,
                region: args.region,
                hostId,
                restoreFrom: entry.restoreFrom,
                ...(args.replica
                  ? {
                      replica: {
                        bucketArn: replicaBucketArn,
                        kmsKeyArn: replicaKmsKeyArn,
                        region: args.replica.region,
                      },
                    }
                  : {}),
              }),
            ),
        },
        child,
      );
      const cse = args.clientSideEncryption;
      if (cse) {
        new aws.iam.RolePolicy(
          `${name}-${hostId}-client-side-encryption`,
          {
            role: role.id,
            policy: pulumi
              .all([
                args.kmsKeyArn,
                cse.accountId,
                cse.envelopeKeyArn,
                cse.replicaEnvelopeKeyArn ?? "",
              ])
              .apply(([kmsKeyArn, accountId, envelopeKeyArn, replicaEnvelopeKeyArn]) =>
                clientSideEncryptionPolicy({
                  kmsKeyArn,
                  envelopeKeyArn,
                  ...(args.replica && cse.replicaEnvelopeKeyArn !== undefined
                    ? {
                        replica: {
                          region: args.replica.region,
                          envelopeKeyArn: replicaEnvelopeKeyArn,
                        },
                      }
                    : {}),
                  accountId,
                  region: args.region,
                  stack: cse.stack,
                  hostId,
                  restoreFrom: entry.restoreFrom,
                  cipherPassParameter: cse.cipherPassParameter,
                }),
              ),
          },
          child,
        );
      }
      roles[hostId] = role;
      profiles[hostId] = new aws.iam.InstanceProfile(
        `${name}-${hostId}-profile`,
        { role: role.name, tags },
        child,
      );
    }
    this.roles = roles;
    this.instanceProfiles = profiles;
    this.instanceProfileNames = pulumi
      .all(Object.fromEntries(Object.entries(profiles).map(([host, p]) => [host, p.name])))
      .apply((names) => ({ ...names }));
    this.jobLogGroupName = this.jobLogGroup.name;
    this.registerOutputs({
      instanceProfileNames: this.instanceProfileNames,
      jobLogGroupName: this.jobLogGroupName,
    });
  }
}
