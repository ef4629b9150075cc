import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { clientSideEncryptionPolicy } from "../content/aws/clientSideEncryptionPolicy";
import { ec2AssumeRolePolicy, hostPolicy } from "../content/aws/hostPolicy";

/** AWS-managed policy that lets the SSM agent register the host and run commands. */
const SSM_MANAGED_INSTANCE_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

export interface HostAccessArgs {
  readonly bucketArn: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly metricNamespace: string;
  readonly region: string;
  /** Days the job output log group keeps its events. */
  readonly logRetentionDays: number;
  readonly tags: Readonly<Record<string, string>>;
  /** With client-side encryption on: the grants it needs, as a policy of their own. */
  readonly clientSideEncryption?: {
    readonly stack: string;
    readonly accountId: pulumi.Input<string>;
    /** The operator-created SSM SecureString holding the PostgreSQL repository passphrase. */
    readonly cipherPassParameter: string;
  };
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
          .all([args.bucketArn, args.kmsKeyArn, this.jobLogGroup.arn])
          .apply(([bucketArn, kmsKeyArn, logGroupArn]) =>
            hostPolicy({
              bucketArn,
              kmsKeyArn,
              logGroupArn,
              metricNamespace: args.metricNamespace,
              region: args.region,
            }),
          ),
      },
      child,
    );
    const cse = args.clientSideEncryption;
    if (cse) {
      new aws.iam.RolePolicy(
        `${name}-client-side-encryption`,
        {
          role: this.role.id,
          policy: pulumi.all([args.kmsKeyArn, cse.accountId]).apply(([kmsKeyArn, accountId]) =>
            clientSideEncryptionPolicy({
              kmsKeyArn,
              accountId,
              region: args.region,
              stack: cse.stack,
              cipherPassParameter: cse.cipherPassParameter,
            }),
          ),
        },
        child,
      );
    }
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
