/**
 * `backup-schedule-dead-letter-and-retry` (policies/rules/scheduleDeadLetterAndRetry.ts): the prod
 * plan broken in the ways it guards against.
 */
import { T, first, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "a schedule has no dead-letter queue",
    fails: ["backup-schedule-dead-letter-and-retry"],
    says: "no deadLetterConfig",
    mutate: (p) => delete first(p, T.schedule).inputs.target.deadLetterConfig,
  },
  {
    title: "a schedule has no retry policy",
    fails: ["backup-schedule-dead-letter-and-retry"],
    says: "no retryPolicy",
    mutate: (p) => delete first(p, T.schedule).inputs.target.retryPolicy,
  },
  {
    title: "a schedule retries 0 times",
    fails: ["backup-schedule-dead-letter-and-retry"],
    says: "maximumRetryAttempts 0",
    mutate: (p) => (first(p, T.schedule).inputs.target.retryPolicy.maximumRetryAttempts = 0),
  },
];

describeMutations(cases);
