/**
 * Client-side encryption of what leaves a host: the names the stack, the host jobs and the policy
 * pack share. Redis dumps and config archives are envelope-encrypted on the host with the AWS
 * Encryption SDK under the stack's backup key; the PostgreSQL engine encrypts its repositories
 * with its own cipher (its descriptor's `repositoryCipherType`) and a passphrase kept in SSM
 * Parameter Store as a SecureString that the operator creates (docs/encryption-and-replica.md).
 *
 * Pure module: no Pulumi import, so host jobs can bundle it.
 */

/**
 * The alias of the backup bucket's KMS key (BackupBucket creates it). Hosts resolve it to the key
 * ARN at run time (kms:DescribeKey), so the host config, and its hash, are known before deploy.
 */
export function backupKeyAlias(bucketName: string): string {
  return `alias/${bucketName}`;
}

/**
 * The alias of the multi-Region envelope key (EnvelopeKey creates it, in the primary's region and,
 * with a replica, in the replica's): Redis dumps and config archives are sealed under it, and a
 * restore in either region opens them there. Envelopes sealed earlier under the bucket's key
 * (`backupKeyAlias`) still open where that key is.
 */
export function envelopeKeyAliasOf(bucketName: string): string {
  return `alias/${bucketName}-envelopes`;
}

/**
 * Where the PostgreSQL repository passphrase lives unless the stack names another parameter:
 * under the bucket's name, which is unique per stack.
 */
export function defaultCipherPassParameter(bucketName: string): string {
  return `/${bucketName}/postgres-repository-cipher-pass`;
}

/**
 * SSM parameter names: letters, digits and `. - _ /`, at most 1011 characters, a leading `/` for a
 * hierarchy of at most 15 levels, and never beginning with `aws` or `ssm` (AWS Systems Manager
 * user guide, "Requirements and constraints for parameter names").
 */
export const SSM_PARAMETER_NAME_PATTERN =
  /^\/(?!(aws|ssm)(\/|$))[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,14}$/i;
export const SSM_PARAMETER_NAME_RULE =
  "must be an SSM parameter path such as /stellar-insights-backups/postgres-repository-cipher-pass: a leading '/', letters, digits, '.', '-', '_' and at most 15 levels, not under /aws or /ssm";

/** `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`. */
export function ssmParameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter/${name.replace(/^\/+/, "")}`;
}

/**
 * The encryption context of every envelope-encrypted object (AWS Encryption SDK: bound to the
 * ciphertext as additional authenticated data, checked again on decrypt). A dump copied under
 * another host's or set's key, or planted under another object key, fails that check. The names are
 * also KMS condition keys (`kms:EncryptionContext:stellar-backup-stack`) in the host role.
 */
export const ENCRYPTION_CONTEXT_KEYS = {
  stack: "stellar-backup-stack",
  host: "stellar-backup-host",
  /** The catalog row: `redis` or `configs`. */
  row: "stellar-backup-row",
  /** The config set (config archives only). */
  set: "stellar-backup-set",
  /** The S3 object key the ciphertext was written under. */
  object: "stellar-backup-object",
} as const;

/**
 * Object metadata of an envelope-encrypted object (S3 lower-cases metadata keys). `sha256` (the
 * store's own) stays the SHA-256 of the bytes in S3, the ciphertext: it checks the transfer, and
 * the Encryption SDK's authenticated encryption and signature check the plaintext.
 */
export const CLIENT_SIDE_METADATA = {
  /** `aws-encryption-sdk`: the object is an Encryption SDK message. */
  format: "client-side-encryption",
  /** The KMS key ARN the data key was encrypted under, for messages when decrypting fails. */
  keyArn: "client-side-kms-key",
} as const;
export const CLIENT_SIDE_FORMAT = "aws-encryption-sdk";
