/**
 * A host's credentials bound to that host: its envelope grants name it (and, to decrypt, the hosts
 * it restores from), and its SSM agent grants read no parameter.
 */
import { expect, test } from "vitest";
import { clientSideEncryptionPolicy } from "../../../infra/content/aws/clientSideEncryptionPolicy";
import { ssmAgentPolicy } from "../../../infra/content/aws/ssmAgentPolicy";

interface Statement {
  Sid: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: { StringEquals?: Record<string, string | string[]> };
}

const statements = (policy: string): Statement[] =>
  (JSON.parse(policy) as { Statement: Statement[] }).Statement;

const staging = statements(
  clientSideEncryptionPolicy({
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
    envelopeKeyArn: "arn:aws:kms:us-east-1:123456789012:key/mrk-1",
    region: "us-east-1",
    accountId: "123456789012",
    stack: "prod",
    hostId: "staging-db-1",
    restoreFrom: ["prod-db-1"],
    cipherPassParameter: "/b/pass",
  }),
);
const bySid = (sid: string) => staging.find((s) => s.Sid === sid);

test("data keys only for envelopes naming the host itself", () => {
  expect(bySid("EnvelopeEncryptOwnBackups")).toEqual({
    Sid: "EnvelopeEncryptOwnBackups",
    Effect: "Allow",
    Action: "kms:GenerateDataKey",
    Resource: "arn:aws:kms:us-east-1:123456789012:key/mrk-1",
    Condition: {
      StringEquals: {
        "kms:EncryptionContext:stellar-backup-host": "staging-db-1",
        "kms:EncryptionContext:stellar-backup-stack": "prod",
      },
    },
  });
});

test("decrypt only envelopes of the host itself and of the hosts it restores from", () => {
  expect(bySid("EnvelopeDecryptRestorableBackups")?.Condition).toEqual({
    StringEquals: {
      "kms:EncryptionContext:stellar-backup-host": ["prod-db-1", "staging-db-1"],
      "kms:EncryptionContext:stellar-backup-stack": "prod",
    },
  });
  // No other statement opens envelopes or mints data keys.
  const direct = staging.filter(
    (s) =>
      [s.Action].flat().some((a) => a === "kms:GenerateDataKey" || a === "kms:Decrypt") &&
      s.Condition?.StringEquals?.["kms:ViaService"] === undefined,
  );
  expect(direct.map((s) => s.Sid).sort()).toEqual([
    "EnvelopeDecryptRestorableBackups",
    "EnvelopeEncryptOwnBackups",
  ]);
});

test("the SSM agent's grants are AmazonSSMManagedInstanceCore's without a single parameter read", () => {
  const agent = statements(ssmAgentPolicy());
  const actions = agent.flatMap((s) => [s.Action].flat());
  expect(actions.filter((a) => /^ssm:GetParameter/i.test(a))).toEqual([]);
  expect(actions).toEqual(
    expect.arrayContaining([
      "ssm:UpdateInstanceInformation",
      "ssm:ListInstanceAssociations",
      "ssm:UpdateInstanceAssociationStatus",
      "ssmmessages:CreateControlChannel",
      "ec2messages:GetMessages",
    ]),
  );
});
