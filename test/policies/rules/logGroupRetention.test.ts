/**
 * `backup-log-group-retention` (policies/rules/logGroupRetention.ts): the prod plan broken in the
 * ways it guards against.
 */
import { T, first, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "a log group keeps events forever",
    fails: ["backup-log-group-retention"],
    says: "has no retentionInDays",
    mutate: (p) => delete first(p, T.logGroup).inputs.retentionInDays,
  },
];

describeMutations(cases);
