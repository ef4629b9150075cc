/**
 * `backup-lifecycle-engine-backstop` (policies/rules/lifecycleEngineBackstop.ts): the prod plan
 * broken in the ways it guards against, and changes it lets pass.
 */
import { onBucket, remove } from "../fixtures/plans";
import {
  T,
  BACKUPS,
  lifecycleRule,
  addLifecycleRule,
  describeMutations,
  removeLifecycleRule,
  type Case,
} from "../support/mutations";

export const cases: Case[] = [
  {
    title: "the engine's backstop equals the engine's retention",
    fails: ["backup-lifecycle-engine-backstop"],
    says: "needs more than 30: the PostgreSQL engine keeps 30 days there",
    mutate: (p) => (lifecycleRule(p, "postgres/").expiration.days = 30),
  },
  {
    title: "the engine's backstop rule is removed",
    fails: ["backup-lifecycle-engine-backstop"],
    says: "no enabled lifecycle rule expires everything under 'postgres/'",
    mutate: (p) => removeLifecycleRule(p, "postgres/"),
  },
  {
    title: "the stack exports an engine retention as long as the backstop",
    fails: ["backup-lifecycle-engine-backstop"],
    says: "(stack output postgresRetention)",
    mutate: (p) => (p.outputs.postgresRetention = lifecycleRule(p, "postgres/").expiration.days),
  },
  {
    title: "a rule expires one host's WAL after 7 days",
    fails: ["backup-lifecycle-engine-backstop"],
    says: "under 'postgres/db1/wal_005/' after 7 days",
    mutate: (p) => addLifecycleRule(p, "postgres/db1/wal_005/", 7),
  },
  {
    title: "the engine's backstop is 31 days (compliant: one day past the engine)",
    fails: [],
    mutate: (p) => (lifecycleRule(p, "postgres/").expiration.days = 31),
  },
  {
    title: "a whole-bucket rule expires everything after 7 days",
    fails: ["backup-lifecycle-covers-catalog", "backup-lifecycle-engine-backstop"],
    says: "under the whole bucket after 7 days",
    mutate: (p) => addLifecycleRule(p, "", 7),
  },
  {
    title: "the lifecycle configuration is removed",
    fails: ["backup-lifecycle-covers-catalog", "backup-lifecycle-engine-backstop"],
    mutate: (p) => remove(p, onBucket(p, T.lifecycle, BACKUPS)),
  },
];

describeMutations(cases);
