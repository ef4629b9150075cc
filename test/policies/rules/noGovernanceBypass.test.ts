/**
 * `backup-no-governance-bypass` (policies/rules/noGovernanceBypass.ts): the prod plan broken in the
 * ways it guards against.
 */
import { onBucket } from "../fixtures/plans";
import {
  T,
  BACKUPS,
  named,
  addStatement,
  describeMutations,
  type Case,
} from "../support/mutations";

export const cases: Case[] = [
  {
    title: "a role policy allows s3:BypassGovernanceRetention",
    fails: ["backup-no-governance-bypass"],
    says: "allows s3:BypassGovernanceRetention; only a break-glass role",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Effect: "Allow",
        Action: ["s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"],
        Resource: "arn:aws:s3:::stellar-insights-backups/postgres/prod-db-1/*",
      }),
  },
  {
    title: "a bucket policy allows s3:Bypass* to another account's role",
    fails: ["backup-no-governance-bypass"],
    says: "statement 'Bypass' allows s3:BypassGovernanceRetention",
    mutate: (p) =>
      addStatement(onBucket(p, T.bucketPolicy, BACKUPS), {
        Sid: "Bypass",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::210987654321:role/ops" },
        Action: "s3:Bypass*",
        Resource: "arn:aws:s3:::stellar-insights-backups/*",
      }),
  },
];

describeMutations(cases);
