/**
 * The host role's grants for client-side encryption, a policy of its own so that turning the
 * option off removes exactly it. Pure: plain ARNs and names in, deterministic JSON out.
 *
 * - The repository passphrase: `ssm:GetParameter` on that one parameter, and `kms:Decrypt` on the
 *   backup key only through SSM (`kms:ViaService`) and only for that parameter (SSM puts the
 *   parameter's ARN in the encryption context: AWS Systems Manager user guide, "How AWS Systems
 *   Manager Parameter Store uses AWS KMS"). The hosts' SSM agent policy reads no parameter
 *   (ssmAgentPolicy.ts), so this is the only parameter a host can read.
 * - With a replica: the passphrase's copy in the replica's region, read the same way under the
 *   envelope key's replica there, so a restore there needs nothing of the primary's region.
 * - Envelope encryption of dumps and archives (AWS Encryption SDK) under the multi-Region envelope
 *   key (decrypt also under its replica, and under the bucket's key for envelopes sealed before the
 *   envelope key existed): `kms:GenerateDataKey` only with
 *   this stack's name and this host's id in the encryption context (a host cannot seal an envelope
 *   claiming another host), `kms:Decrypt` only with this stack's name and the id of this host or of
 *   a host it restores from (`restoreFrom`), and `kms:DescribeKey` to resolve the key's alias (AWS
 *   KMS developer guide, "kms:EncryptionContext:"; a condition on a key the request's context lacks
 *   does not match). Every envelope the jobs have written names its host in the context
 *   (scripts/lib/storage/sealedObjects.ts `encryptionContext`), so the host condition leaves every existing
 *   backup readable by its own host and its restore targets.
 */
import { ENCRYPTION_CONTEXT_KEYS, ssmParameterArn } from "../../catalog/clientSideEncryption";
import { policyDocument, type PolicyStatement } from "./bucketPolicies";

export interface ClientSideEncryptionPolicyInputs {
  /**
   * The bucket's key: it encrypts the passphrase SecureString in the primary's region, and sealed
   * the envelopes written before the multi-Region envelope key existed (decrypt only).
   */
  readonly kmsKeyArn: string;
  /** The multi-Region envelope key in the primary's region (EnvelopeKey). */
  readonly envelopeKeyArn: string;
  /**
   * The replica's region and the envelope key's replica there: restores from the replica open
   * envelopes with it, and read the passphrase's copy there (created by the operator under it).
   */
  readonly replica?: { readonly region: string; readonly envelopeKeyArn: string };
  readonly region: string;
  readonly accountId: string;
  readonly stack: string;
  /** The host this role is for (`hostIdOf(config)`): the only host its envelopes may name. */
  readonly hostId: string;
  /** The hosts whose envelopes it may also open for a restore (stack config `restoreFrom`). */
  readonly restoreFrom: readonly string[];
  /** The SSM SecureString holding the PostgreSQL repository passphrase. */
  readonly cipherPassParameter: string;
}

export function clientSideEncryptionPolicy(inputs: ClientSideEncryptionPolicyInputs): string {
  const parameterArn = ssmParameterArn(inputs.region, inputs.accountId, inputs.cipherPassParameter);
  const replica = inputs.replica;
  const replicaParameterArn = replica
    ? ssmParameterArn(replica.region, inputs.accountId, inputs.cipherPassParameter)
    : undefined;
  const envelopeKeys = [inputs.envelopeKeyArn, ...(replica ? [replica.envelopeKeyArn] : [])];
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadRepositoryCipherPass",
      Effect: "Allow",
      Action: "ssm:GetParameter",
      Resource: replicaParameterArn ? [parameterArn, replicaParameterArn] : parameterArn,
    },
    {
      Sid: "DecryptRepositoryCipherPassThroughSsm",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: inputs.kmsKeyArn,
      Condition: {
        StringEquals: {
          "kms:ViaService": `ssm.${inputs.region}.amazonaws.com`,
          "kms:EncryptionContext:PARAMETER_ARN": parameterArn,
        },
      },
    },
    ...(replica && replicaParameterArn
      ? [
          {
            Sid: "DecryptReplicaCipherPassThroughSsm",
            Effect: "Allow" as const,
            Action: "kms:Decrypt",
            Resource: replica.envelopeKeyArn,
            Condition: {
              StringEquals: {
                "kms:ViaService": `ssm.${replica.region}.amazonaws.com`,
                "kms:EncryptionContext:PARAMETER_ARN": replicaParameterArn,
              },
            },
          },
        ]
      : []),
    {
      Sid: "EnvelopeEncryptOwnBackups",
      Effect: "Allow",
      Action: "kms:GenerateDataKey",
      // Hosts write to the primary only.
      Resource: inputs.envelopeKeyArn,
      Condition: {
        StringEquals: {
          [`kms:EncryptionContext:${ENCRYPTION_CONTEXT_KEYS.stack}`]: inputs.stack,
          [`kms:EncryptionContext:${ENCRYPTION_CONTEXT_KEYS.host}`]: inputs.hostId,
        },
      },
    },
    {
      Sid: "EnvelopeDecryptRestorableBackups",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: [...envelopeKeys, inputs.kmsKeyArn],
      Condition: {
        StringEquals: {
          [`kms:EncryptionContext:${ENCRYPTION_CONTEXT_KEYS.stack}`]: inputs.stack,
          // Several values of one key: any of them matches (IAM User Guide, "Condition element").
          [`kms:EncryptionContext:${ENCRYPTION_CONTEXT_KEYS.host}`]: [
            ...new Set([inputs.hostId, ...inputs.restoreFrom]),
          ].sort(),
        },
      },
    },
    {
      Sid: "FindBackupKey",
      Effect: "Allow",
      Action: "kms:DescribeKey",
      Resource: [...envelopeKeys, inputs.kmsKeyArn],
    },
  ];
  return policyDocument(statements);
}
