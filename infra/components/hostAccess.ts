import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ec2AssumeRolePolicy, hostPolicy } from "../content/aws/hostPolicy";

/** AWS-managed policy that lets the SSM agent register the host and run commands. */
const SSM_MANAGED_INSTANCE_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

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
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The database hosts' identity: an instance profile whose role can run SSM commands, write its
 * backup prefixes, use the backup key through S3, publish the project's metrics and write job logs,
 * and nothing else.
 */
export class HostAccess extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly instanceProfile: aws.iam.InstanceProfile;
  readonly jobLogGroup: aws.cloudwatch.LogGroup;
  readonly instanceProfileName: pulumi.Output<string>;
  readonly jobLogGroupName: pulumi.Output<string>;

  constructor(name: string, args: HostAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:HostAccess", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };

    this.jobLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-job-logs`,
      {
        name: `/stellar-insights-backup/${pulumi.getStack()}/jobs`,
        retentionInDays: args.logRetentionDays,
        tags,
      },
      child,
    );
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description: "Database hosts: backup jobs and SSM",
        assumeRolePolicy: ec2AssumeRolePolicy(),
        tags,
      },
      child,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-ssm-core`,
      { role: this.role.name, policyArn: SSM_MANAGED_INSTANCE_CORE },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-backup-policy`,
      {
        role: this.role.id,
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
    this.instanceProfile = new aws.iam.InstanceProfile(
      `${name}-profile`,
      { role: this.role.name, tags },
      child,
    );

    this.instanceProfileName = this.instanceProfile.name;
    this.jobLogGroupName = this.jobLogGroup.name;
    this.registerOutputs({
      instanceProfileName: this.instanceProfileName,
      jobLogGroupName: this.jobLogGroupName,
    });
  }
}
