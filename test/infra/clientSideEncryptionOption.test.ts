/**
 * The clientSideEncryption stack option, on (prod) and off: synth both as real processes and
 * compare. On adds exactly one resource, the host role's client-side encryption policy, and names
 * the passphrase parameter and key alias in the host config; off ships neither. No plan holds a
 * passphrase: the stack only names the operator's SecureString.
 */
import { beforeAll, expect, test } from "vitest";
import { synthVariant, type PlanFile } from "./support/synthVariant";

const PARAMETER = "/stellar-insights-backups/postgres-repository-cipher-pass";
const POLICY = "aws:iam/rolePolicy:RolePolicy db-hosts-prod-db-1-client-side-encryption";

let on: PlanFile;
let off: PlanFile;
let renamed: PlanFile;

const ids = (plan: PlanFile) => plan.resources.map((r) => `${r.type} ${r.name}`);
const hostConfig = (plan: PlanFile) =>
  JSON.parse(
    plan.resources.find((r) => r.name === "host-plane-artifact-host-config")!.inputs
      .content as string,
  ) as { clientSideEncryption?: unknown };
const policyOf = (plan: PlanFile) =>
  JSON.parse(
    plan.resources.find((r) => `${r.type} ${r.name}` === POLICY)!.inputs.policy as string,
  ) as { Statement: { Sid: string; Action: unknown; Resource: unknown; Condition?: unknown }[] };

beforeAll(async () => {
  [on, off, renamed] = await Promise.all([
    synthVariant("prod", (t) => t),
    synthVariant("cse-off", (t) => t.replace("    enabled: true\n", "    enabled: false\n")),
    synthVariant("cse-renamed", (t) =>
      t.replace(`cipherPassParameter: ${PARAMETER}`, "cipherPassParameter: /backup/pg-pass"),
    ),
  ]);
}, 300_000);

test("on adds exactly the host role's client-side encryption policy and the multi-Region envelope key with its replica; off has none of it", () => {
  expect(ids(on).filter((id) => !ids(off).includes(id))).toEqual([
    POLICY,
    "aws:kms/key:Key envelope-key",
    "stellar:backup:EnvelopeKey envelope-key",
    "aws:kms/alias:Alias envelope-key-alias",
    "aws:kms/replicaKey:ReplicaKey envelope-key-replica",
    "aws:kms/alias:Alias envelope-key-replica-alias",
  ]);
  const key = on.resources.find((r) => r.name === "envelope-key" && r.type === "aws:kms/key:Key");
  expect(key?.inputs).toMatchObject({ multiRegion: true, enableKeyRotation: true });
  expect(key?.protect).toBe(true);
  const replica = on.resources.find((r) => r.name === "envelope-key-replica");
  expect(replica?.inputs).toMatchObject({
    region: "us-west-2",
    primaryKeyArn: "arn:aws:kms:us-east-1:123456789012:key/envelope-key-id",
  });
  expect(replica?.protect).toBe(true);
  expect(on.resources.find((r) => r.name === "envelope-key-replica-alias")?.inputs).toEqual({
    region: "us-west-2",
    name: "alias/stellar-insights-backups-envelopes",
    targetKeyId: "envelope-key-id",
  });
  expect(ids(off).filter((id) => !ids(on).includes(id))).toEqual([]);
  expect(on.outputs.repositoryCipherPassParameter).toBe(PARAMETER);
  expect(off.outputs.repositoryCipherPassParameter).toBeUndefined();
});

test("the host config names the alias and the parameter when on, and nothing when off", () => {
  expect(hostConfig(on).clientSideEncryption).toEqual({
    kmsKeyAlias: "alias/stellar-insights-backups-envelopes",
    cipherPassParameter: PARAMETER,
  });
  expect(hostConfig(off).clientSideEncryption).toBeUndefined();
  expect(hostConfig(renamed).clientSideEncryption).toEqual({
    kmsKeyAlias: "alias/stellar-insights-backups-envelopes",
    cipherPassParameter: "/backup/pg-pass",
  });
});

test("the policy grants the named parameter only (in both regions), its keys only through SSM, data keys only under the stack's and the host's own context", () => {
  const arn = `arn:aws:ssm:us-east-1:123456789012:parameter${PARAMETER}`;
  const replicaArn = `arn:aws:ssm:us-west-2:123456789012:parameter${PARAMETER}`;
  const key = "arn:aws:kms:us-east-1:123456789012:key/backups-key-id";
  const envelope = "arn:aws:kms:us-east-1:123456789012:key/envelope-key-id";
  const envelopeReplica = "arn:aws:kms:us-west-2:123456789012:key/envelope-key-id";
  expect(policyOf(on).Statement).toEqual([
    {
      Sid: "ReadRepositoryCipherPass",
      Effect: "Allow",
      Action: "ssm:GetParameter",
      Resource: [arn, replicaArn],
    },
    {
      Sid: "DecryptRepositoryCipherPassThroughSsm",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: key,
      Condition: {
        StringEquals: {
          "kms:EncryptionContext:PARAMETER_ARN": arn,
          "kms:ViaService": "ssm.us-east-1.amazonaws.com",
        },
      },
    },
    {
      Sid: "DecryptReplicaCipherPassThroughSsm",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: envelopeReplica,
      Condition: {
        StringEquals: {
          "kms:EncryptionContext:PARAMETER_ARN": replicaArn,
          "kms:ViaService": "ssm.us-west-2.amazonaws.com",
        },
      },
    },
    {
      Sid: "EnvelopeEncryptOwnBackups",
      Effect: "Allow",
      Action: "kms:GenerateDataKey",
      Resource: envelope,
      Condition: {
        StringEquals: {
          "kms:EncryptionContext:stellar-backup-host": "prod-db-1",
          "kms:EncryptionContext:stellar-backup-stack": "prod",
        },
      },
    },
    {
      Sid: "EnvelopeDecryptRestorableBackups",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: [envelope, envelopeReplica, key],
      Condition: {
        StringEquals: {
          "kms:EncryptionContext:stellar-backup-host": ["prod-db-1"],
          "kms:EncryptionContext:stellar-backup-stack": "prod",
        },
      },
    },
    {
      Sid: "FindBackupKey",
      Effect: "Allow",
      Action: "kms:DescribeKey",
      Resource: [envelope, envelopeReplica, key],
    },
  ]);
  expect(policyOf(renamed).Statement[0].Resource).toEqual([
    "arn:aws:ssm:us-east-1:123456789012:parameter/backup/pg-pass",
    "arn:aws:ssm:us-west-2:123456789012:parameter/backup/pg-pass",
  ]);
});

test("no plan holds a passphrase or creates the parameter: the operator does, once", () => {
  for (const plan of [on, off, renamed]) {
    expect(plan.resources.filter((r) => r.type === "aws:ssm/parameter:Parameter")).toEqual([]);
    expect(JSON.stringify(plan)).not.toMatch(/cipher-pass=|CIPHER_PASS=/);
  }
});
