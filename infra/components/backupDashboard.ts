import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dashboardBody, type DashboardInputs } from "../content/aws/dashboardBody";
import { stackPrefix } from "../content/aws/resourceNames";

export type BackupDashboardArgs = DashboardInputs;

/** One CloudWatch dashboard for the stack's backups, its body derived from the catalog. */
export class BackupDashboard extends pulumi.ComponentResource {
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: BackupDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:BackupDashboard", name, {}, opts);
    this.dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      { dashboardName: stackPrefix(args.stack), dashboardBody: dashboardBody(args) },
      { parent: this },
    );
    this.dashboardName = this.dashboard.dashboardName;
    this.registerOutputs({ dashboardName: this.dashboardName });
  }
}
