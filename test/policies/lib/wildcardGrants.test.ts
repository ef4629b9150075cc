import { describe, expect, test } from "vitest";
import { parsePolicyDocument } from "../../../policies/lib/policyDocument";
import { wildcardGrants } from "../../../policies/lib/wildcardGrants";

function problems(statement: Record<string, unknown>): string[] {
  const parsed = parsePolicyDocument(
    JSON.stringify({ Version: "2012-10-17", Statement: [statement] }),
  );
  if (parsed.ok !== true) throw new Error("fixture must parse");
  return wildcardGrants(parsed.statements);
}

const BUCKET = "arn:aws:s3:::stellar-insights-backups";

describe("wildcardGrants", () => {
  test.each([
    [
      "s3:* on the bucket",
      { Effect: "Allow", Action: "s3:*", Resource: BUCKET },
      ["statement #1 allows 's3:*'"],
    ],
    [
      "S3:* in another case",
      { Effect: "Allow", Action: ["S3:*"], Resource: BUCKET },
      ["statement #1 allows 'S3:*'"],
    ],
    [
      "kms:* on one key",
      { Sid: "Key", Effect: "Allow", Action: "kms:*", Resource: "arn:aws:kms:us-east-1:1:key/k" },
      ["statement 'Key' allows 'kms:*'"],
    ],
    [
      "* on *",
      { Effect: "Allow", Action: "*", Resource: "*" },
      ["statement #1 allows every action ('*')", "statement #1 allows * on every resource ('*')"],
    ],
    [
      "*:* on a log group",
      { Effect: "Allow", Action: "*:*", Resource: "arn:aws:logs:us-east-1:1:log-group:g" },
      ["statement #1 allows every action ('*:*')"],
    ],
    [
      "s3:GetObject on *",
      { Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
      ["statement #1 allows s3:GetObject on every resource ('*')"],
    ],
    [
      "s3:GetObject on every bucket",
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*/*" },
      ["statement #1 allows s3:GetObject on every resource ('arn:aws:s3:::*/*')"],
    ],
    [
      "kms:Decrypt on every alias",
      { Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:1:alias/*" },
      ["statement #1 allows kms:Decrypt on every resource ('arn:aws:kms:us-east-1:1:alias/*')"],
    ],
    [
      "NotAction",
      { Effect: "Allow", NotAction: "iam:*", Resource: BUCKET },
      [`statement #1 allows every action except ["iam:*"] (Allow with NotAction)`],
    ],
    [
      "NotResource",
      { Effect: "Allow", Action: "s3:GetObject", NotResource: `${BUCKET}/secret/*` },
      [
        `statement #1 allows s3:GetObject on every resource except ["${BUCKET}/secret/*"] (NotResource)`,
      ],
    ],
    ["Deny s3:* on *", { Effect: "Deny", Action: "s3:*", Resource: "*" }, []],
    [
      "PutMetricData on * (no resource-level permissions)",
      { Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*" },
      [],
    ],
    [
      "ec2:* is not the backups' concern",
      { Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
      [],
    ],
    [
      "objects under one prefix",
      {
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: `${BUCKET}/postgres/*`,
      },
      [],
    ],
    [
      "s3:Get* is narrower than s3:*",
      { Effect: "Allow", Action: "s3:Get*", Resource: `${BUCKET}/*` },
      [],
    ],
  ])("%s", (_title, statement, expected) => {
    expect(problems(statement)).toEqual(expected);
  });
});
