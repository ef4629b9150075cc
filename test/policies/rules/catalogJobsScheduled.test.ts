/**
 * `backup-catalog-jobs-scheduled` (policies/rules/catalogJobsScheduled.ts): the prod plan broken in
 * the ways it guards against.
 */
import { documentName } from "../../../infra/catalog";
import { remove, type MutablePlan, type MutableResource } from "../fixtures/plans";
import { T, all, describeMutations, type Case } from "../support/mutations";

function schedulesOf(
  plan: MutablePlan,
  job: Parameters<typeof documentName>[1],
): MutableResource[] {
  const document = documentName(plan.stack, job);
  return all(plan, T.schedule, (s) => JSON.parse(s.inputs.target.input).DocumentName === document);
}

export const cases: Case[] = [
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
];

describeMutations(cases);
