/**
 * `backup-iam-no-wildcard-grants` (policies/rules/iamNoWildcardGrants.ts): the prod plan broken in
 * the ways it guards against, and changes it lets pass.
 */
import { onBucket } from "../fixtures/plans";
import {
  T,
  ACCESS_LOGS,
  first,
  named,
  addStatement,
  describeMutations,
  type Case,
} from "../support/mutations";

export const cases: Case[] = [
  {
    title: "a role policy allows s3:*",
    // On every object of the bucket, so on every host's prefixes too.
    fails: ["backup-iam-host-prefix-scoped", "backup-iam-no-wildcard-grants"],
    says: "allows 's3:*'",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Effect: "Allow",
        Action: "s3:*",
        Resource: "arn:aws:s3:::stellar-insights-backups/*",
      }),
  },
  {
    title: "a role policy allows kms:* on the key",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "allows 'kms:*'",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Effect: "Allow",
        Action: ["kms:*"],
        Resource: "arn:aws:kms:us-east-1:123456789012:key/k",
      }),
  },
  {
    title: "a role policy allows every action",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "allows every action ('*')",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Effect: "Allow",
        Action: "*",
        Resource: "arn:aws:logs:us-east-1:123456789012:log-group:x",
      }),
  },
  {
    title: "a role policy allows s3:GetObject on every resource",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "allows s3:GetObject on every resource ('*')",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Sid: "Wide",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "*",
      }),
  },
  {
    title: "a role policy allows kms:Decrypt on every key",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "on every resource ('arn:aws:kms:us-east-1:123456789012:key/*')",
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "arn:aws:kms:us-east-1:123456789012:key/*",
      }),
  },
  {
    title: "a role's inline policy allows s3:*",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "inline policy 'wide': statement #1 allows 's3:*'",
    mutate: (p) => {
      first(p, T.role).inputs.inlinePolicies = [
        {
          name: "wide",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }],
          }),
        },
      ];
    },
  },
  {
    title: "a managed policy allows everything but iam:* (Allow with NotAction)",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "Allow with NotAction",
    mutate: (p) =>
      p.resources.push({
        type: T.iamPolicy,
        name: "fixture-not-action",
        parent: null,
        inputs: {
          policy: JSON.stringify({
            Statement: { Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b" },
          }),
        },
      }),
  },
  {
    title: "the access-log bucket policy allows s3:* to a principal",
    fails: ["backup-iam-no-wildcard-grants"],
    says: "allows 's3:*'",
    mutate: (p) =>
      addStatement(onBucket(p, T.bucketPolicy, ACCESS_LOGS), {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
        Action: "s3:*",
        Resource: "arn:aws:s3:::stellar-insights-backups-access-logs/*",
      }),
  },
  {
    title: "a role policy gains a Deny s3:* statement (compliant)",
    fails: [],
    mutate: (p) =>
      addStatement(named(p, "db-hosts-prod-db-1-backup-policy"), {
        Effect: "Deny",
        Action: "s3:*",
        Resource: "*",
      }),
  },
];

describeMutations(cases);
