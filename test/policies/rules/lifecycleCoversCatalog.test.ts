/**
 * `backup-lifecycle-covers-catalog` (policies/rules/lifecycleCoversCatalog.ts): the prod plan
 * broken in the ways it guards against, and changes it lets pass.
 */
import {
  lifecycleRule,
  addLifecycleRule,
  describeMutations,
  removeLifecycleRule,
  type Case,
} from "../support/mutations";

export const cases: Case[] = [
  {
    title: "configs expire after 30 days instead of 90",
    fails: ["backup-lifecycle-covers-catalog"],
    says: "expires objects under 'configs/' after 30 days, but 'configs/' needs at least 90",
    mutate: (p) => (lifecycleRule(p, "configs/").expiration.days = 30),
  },
  {
    title: "the logs rule is removed",
    fails: ["backup-lifecycle-covers-catalog"],
    says: "no enabled lifecycle rule expires everything under 'logs/'",
    mutate: (p) => removeLifecycleRule(p, "logs/"),
  },
  {
    title: "the redis rule is disabled",
    fails: ["backup-lifecycle-covers-catalog"],
    says: "'redis/'",
    mutate: (p) => (lifecycleRule(p, "redis/").status = "Disabled"),
  },
  {
    title: "a narrower rule expires part of configs/ after 1 day",
    fails: ["backup-lifecycle-covers-catalog"],
    says: "under 'configs/tmp/' after 1 day",
    mutate: (p) => addLifecycleRule(p, "configs/tmp/", 1),
  },
  {
    title: "configs expire after 365 days (compliant: longer than the catalog)",
    fails: [],
    mutate: (p) => (lifecycleRule(p, "configs/").expiration.days = 365),
  },
];

describeMutations(cases);
