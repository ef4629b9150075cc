/**
 * The tag that tells the project's buckets apart without relying on resource names: the stack
 * writes it, the policy pack and the sandbox find the backup bucket by it.
 *
 * Pure module: no Pulumi import.
 */
export const BUCKET_ROLE_TAG = "stellar-insights:bucket-role";
export const BucketRole = {
  backups: "backups",
  accessLogs: "access-logs",
  /** The cross-region copy of the backup bucket (stack config `replication`). */
  replica: "replica",
} as const;
