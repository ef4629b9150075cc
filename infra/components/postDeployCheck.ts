import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { JOBS, type HostTarget, type JobKey } from "../catalog";
import {
  POST_DEPLOY_CHECK_SCRIPT,
  postDeployCheckEnvironment,
} from "../content/aws/postDeployCheck";
import { sendCommandInput } from "../content/aws/sendCommand";

/** The job the check runs: verification reads the newest backup and the archiver, and changes nothing. */
export const POST_DEPLOY_CHECK_JOB: JobKey = "pg-verify";
const POLL_SECONDS = 15;
/** Delivery to a host that just converged can take a few minutes on top of the run itself. */
const DELIVERY_ALLOWANCE_SECONDS = 300;

export interface PostDeployCheckArgs {
  readonly stack: string;
  readonly region: string;
  readonly hostTarget: HostTarget;
  /** The verification job's SSM document (HostConfiguration's `documentNames["pg-verify"]`). */
  readonly documentName: pulumi.Input<string>;
  readonly outputLogGroupName: pulumi.Input<string>;
  /** Documents and associations that must be in place first. */
  readonly after: readonly pulumi.Resource[];
  /** Values whose change re-runs the check, e.g. the host artifacts' manifest key. */
  readonly triggers: readonly pulumi.Input<string>[];
}

/**
 * After the host plane is in place, runs the verification job on every database host through SSM
 * (from the machine running `pulumi up`, with its AWS credentials and the AWS CLI) and fails the
 * update unless it succeeded on all of them, and on at least one.
 */
export class PostDeployCheck extends pulumi.ComponentResource {
  readonly command: command.local.Command;

  constructor(name: string, args: PostDeployCheckArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:PostDeployCheck", name, {}, opts);
    const job = JOBS[POST_DEPLOY_CHECK_JOB];
    const request = pulumi
      .all([args.documentName, args.outputLogGroupName])
      .apply(([documentName, outputLogGroupName]) =>
        sendCommandInput({
          documentName,
          hostTarget: args.hostTarget,
          timeoutSeconds: job.timeoutSeconds,
          outputLogGroupName,
          comment: `${args.stack}: post-deploy check`,
        }),
      );
    this.command = new command.local.Command(
      `${name}-run`,
      {
        create: POST_DEPLOY_CHECK_SCRIPT,
        interpreter: ["/bin/sh", "-c"],
        environment: request.apply((sendCommandInputJson) =>
          postDeployCheckEnvironment({
            region: args.region,
            sendCommandInput: sendCommandInputJson,
            waitSeconds: job.timeoutSeconds + DELIVERY_ALLOWANCE_SECONDS,
            pollSeconds: POLL_SECONDS,
          }),
        ),
        triggers: [request, ...args.triggers],
      },
      { parent: this, dependsOn: [...args.after] },
    );
    this.registerOutputs({});
  }
}
