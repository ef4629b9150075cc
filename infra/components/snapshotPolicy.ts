import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { HostTarget } from "../catalog";
import { snapshotPolicyDetails } from "../content/aws/snapshotPolicy";
import { serviceAssumeRolePolicy } from "../content/aws/trustPolicies";

/** AWS-managed policy with exactly what DLM needs to create, tag and delete EBS snapshots. */
const DLM_SERVICE_ROLE_POLICY =
  "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole";

export interface SnapshotPolicyArgs {
  readonly stack: string;
  /** `schedules.snapshots`, a cron(...) expression that DLM reads in UTC. */
  readonly cronExpression: string;
  /** `retentionDays.snapshots`. */
  readonly retainDays: number;
  readonly hostTarget: HostTarget;
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The runbook's weekly system snapshots: a DLM policy snapshotting every volume of the instances
 * carrying the host tag, copying their tags, deleting each set after `retainDays`, with its own
 * role.
 */
export class SnapshotPolicy extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly policy: aws.dlm.LifecyclePolicy;
  /** DLM's policy id: the `DLMPolicyId` dimension of its CloudWatch metrics. */
  readonly policyId: pulumi.Output<string>;

  constructor(name: string, args: SnapshotPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:SnapshotPolicy", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };
    if (!args.cronExpression.startsWith("cron(")) {
      throw new pulumi.ResourceError(
        `cronExpression '${args.cronExpression}' must be cron(...): DLM takes no rate()`,
        this,
      );
    }

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description: "Data Lifecycle Manager: weekly snapshots of the database hosts",
        // Only DLM acting for this account's lifecycle policies may assume it (confused deputy).
        assumeRolePolicy: pulumi.output(args.accountId).apply((accountId) =>
          serviceAssumeRolePolicy("dlm.amazonaws.com", {
            StringEquals: { "aws:SourceAccount": accountId },
            ArnLike: { "aws:SourceArn": `arn:aws:dlm:${args.region}:${accountId}:policy/*` },
          }),
        ),
        tags,
      },
      child,
    );
    const attachment = new aws.iam.RolePolicyAttachment(
      `${name}-service-role-policy`,
      { role: this.role.name, policyArn: DLM_SERVICE_ROLE_POLICY },
      child,
    );
    this.policy = new aws.dlm.LifecyclePolicy(
      name,
      {
        description: `Weekly system snapshots of the ${args.stack} database hosts, kept ${args.retainDays} days`,
        executionRoleArn: this.role.arn,
        state: "ENABLED",
        policyDetails: snapshotPolicyDetails({
          cronExpression: args.cronExpression,
          retainDays: args.retainDays,
          hostTarget: args.hostTarget,
          stack: args.stack,
        }),
        tags,
      },
      { ...child, dependsOn: [attachment] },
    );
    this.policyId = this.policy.id;
    this.registerOutputs({ policyId: this.policyId });
  }
}
