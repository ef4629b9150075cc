/**
 * The host role's grants for client-side encryption, a policy of its own so that turning the
 * option off removes exactly it. Pure: plain ARNs and names in, deterministic JSON out.
 *
 * - The repository passphrase: `ssm:GetParameter` on that one parameter, and `kms:Decrypt` on the
 *   backup key only through SSM (`kms:ViaService`) and only for that parameter (SSM puts the
 *   parameter's ARN in the encryption context: AWS Systems Manager user guide, "How AWS Systems
 *   Manager Parameter Store uses AWS KMS"). AmazonSSMManagedInstanceCore, which the hosts also
 *   carry, allows `ssm:GetParameter` on every parameter; the KMS condition is what confines the
 *   hosts to this one SecureString under the backup key.
 * - Envelope encryption of dumps and archives (AWS Encryption SDK): `kms:GenerateDataKey` and
 *   `kms:Decrypt` directly, only with this stack's name in the encryption context, and
 *   `kms:DescribeKey` to resolve the key's alias (AWS KMS developer guide, "kms:EncryptionContext:").
 */
import { ENCRYPTION_CONTEXT_KEYS, ssmParameterArn } from "../../catalog/clientSideEncryption";
import { policyDocument, type PolicyStatement } from "./bucketPolicies";

export interface ClientSideEncryptionPolicyInputs {
  readonly kmsKeyArn: string;
  readonly region: string;
  readonly accountId: string;
  readonly stack: string;
  /** The SSM SecureString holding the PostgreSQL repository passphrase. */
  readonly cipherPassParameter: string;
}

export function clientSideEncryptionPolicy(inputs: ClientSideEncryptionPolicyInputs): string {
  const parameterArn = ssmParameterArn(inputs.region, inputs.accountId, inputs.cipherPassParameter);
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadRepositoryCipherPass",
      Effect: "Allow",
      Action: "ssm:GetParameter",
      Resource: parameterArn,
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
    {
      Sid: "EnvelopeEncryptBackups",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: inputs.kmsKeyArn,
      Condition: {
        StringEquals: { [`kms:EncryptionContext:${ENCRYPTION_CONTEXT_KEYS.stack}`]: inputs.stack },
      },
    },
    {
      Sid: "FindBackupKey",
      Effect: "Allow",
      Action: "kms:DescribeKey",
      Resource: inputs.kmsKeyArn,
    },
  ];
  return policyDocument(statements);
}
