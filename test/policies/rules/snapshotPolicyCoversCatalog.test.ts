/**
 * `backup-snapshot-policy-covers-catalog` (policies/rules/snapshotPolicyCoversCatalog.ts): the prod
 * plan broken in the ways it guards against, and changes it lets pass.
 */
import { T, all, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
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
];

describeMutations(cases);
