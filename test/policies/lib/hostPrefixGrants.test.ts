/**
 * What counts as a grant across hosts: a pattern that matches two hosts' keys under a per-host
 * row prefix, as an object ARN or an `s3:prefix` value.
 */
import { expect, test } from "vitest";
import {
  crossHostGrants,
  crossHostPrefix,
  perHostPrefixes,
} from "../../../policies/lib/hostPrefixGrants";
import { parsePolicyDocument, type Statement } from "../../../policies/lib/policyDocument";

test("the per-host prefixes are the catalog's S3 rows", () => {
  expect(perHostPrefixes()).toEqual(["configs/", "logs/", "postgres/", "redis/"]);
});

test.each<[string, string | undefined]>([
  ["configs/db-1/*", undefined],
  ["postgres/db-1/*", undefined],
  ["artifacts/*", undefined],
  ["configs/db-1", undefined],
  ["configs/*", "configs/"],
  ["c*", "configs/"],
  ["*", "configs/"],
  ["logs/*/2026/*", "logs/"],
  ["redis/db-?/*", "redis/"],
  ["redis/${aws:username}/*", "redis/"],
  ["postgres/db-1*", "postgres/"],
  ["*/db-1/*", "configs/"],
])("key pattern %s reaches every host under %s", (pattern, prefix) => {
  expect(crossHostPrefix(pattern)).toBe(prefix);
});

function statements(document: unknown): readonly Statement[] {
  const parsed = parsePolicyDocument(document);
  if (parsed.ok !== true) throw new Error("not a document");
  return parsed.statements;
}

test("object ARNs and s3:prefix conditions of Allow statements are checked; Deny and non-S3 are not", () => {
  const doc = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Own",
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::b/redis/db-1/*",
      },
      { Sid: "Wide", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/redis/*" },
      {
        Sid: "List",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: "arn:aws:s3:::b",
        Condition: { StringLike: { "s3:prefix": ["logs/db-1/*", "logs/*"] } },
      },
      { Sid: "Deny", Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::b/*" },
      { Sid: "Logs", Effect: "Allow", Action: "logs:PutLogEvents", Resource: "arn:aws:s3:::b/*" },
    ],
  };
  expect(crossHostGrants(statements(doc))).toEqual([
    "statement 'Wide' allows s3:GetObject on 'arn:aws:s3:::b/redis/*', every host's 'redis/<host>/' objects; name the host: 'redis/<host>/*'",
    "statement 'List' lets s3:ListBucket list s3:prefix 'logs/*', every host's 'logs/<host>/' keys; name the host: 'logs/<host>/*'",
  ]);
});

test("S3 replication's own permissions on the whole bucket are not a cross-host grant; data access beside them is", () => {
  const replication = statements({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadSourceVersions",
        Effect: "Allow",
        Action: [
          "s3:GetObjectVersionForReplication",
          "s3:GetObjectVersionAcl",
          "s3:GetObjectVersionTagging",
          "s3:GetObjectRetention",
          "s3:GetObjectLegalHold",
        ],
        Resource: "arn:aws:s3:::backups/*",
      },
      {
        Sid: "WriteReplicas",
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:ReplicateTags"],
        Resource: "arn:aws:s3:::backups-replica/*",
      },
      {
        Sid: "AlsoReads",
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:GetObject"],
        Resource: "arn:aws:s3:::backups/*",
      },
    ],
  });
  expect(crossHostGrants(replication)).toEqual([
    "statement 'AlsoReads' allows s3:GetObject on 'arn:aws:s3:::backups/*', every host's 'configs/<host>/' objects; name the host: 'configs/<host>/*'",
  ]);
});
