/**
 * `backup-alarm-has-actions` (policies/rules/alarmHasActions.ts): the prod plan broken in the ways
 * it guards against.
 */
import { T, first, describeMutations, type Case } from "../support/mutations";

export const cases: Case[] = [
  {
    title: "an alarm has no alarm actions",
    fails: ["backup-alarm-has-actions"],
    says: "has no alarmActions",
    mutate: (p) => (first(p, T.alarm).inputs.alarmActions = []),
  },
  {
    title: "an alarm has no OK actions",
    fails: ["backup-alarm-has-actions"],
    says: "has no okActions",
    mutate: (p) => delete first(p, T.alarm).inputs.okActions,
  },
  {
    title: "an alarm has its actions disabled",
    fails: ["backup-alarm-has-actions"],
    says: "actionsEnabled is false",
    mutate: (p) => (first(p, T.alarm).inputs.actionsEnabled = false),
  },
];

describeMutations(cases);
