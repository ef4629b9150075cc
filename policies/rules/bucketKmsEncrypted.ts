import type {
  BucketEncryptionProps,
  EncryptionByDefaultProps,
  EncryptionRuleProps,
} from "../lib/awsProps";
import { attachedTo, backupHoldingBucketsOrNotApplicable, describeBucket } from "../lib/buckets";
import { stackPolicy } from "../lib/define";
import { isUnknown, list, record, text } from "../lib/known";

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** Why a rule is not SSE-KMS with a named key, or undefined when it is (or cannot be known yet). */
function ruleProblem(rule: unknown): string | undefined {
  if (isUnknown(rule)) return undefined;
  const byDefault = record(
    (record(rule) as EncryptionRuleProps | undefined)?.applyServerSideEncryptionByDefault,
  ) as EncryptionByDefaultProps | undefined;
  const algorithm = byDefault?.sseAlgorithm;
  if (isUnknown(algorithm)) return undefined;
  if (typeof algorithm !== "string" || !KMS_ALGORITHMS.includes(algorithm)) {
    return `encrypts with ${JSON.stringify(algorithm ?? "no default algorithm")} instead of SSE-KMS`;
  }
  if (text(byDefault?.kmsMasterKeyId) === undefined) {
    return "uses SSE-KMS without kmsMasterKeyId, i.e. the AWS-managed aws/s3 key, whose policy the stack cannot restrict";
  }
  return undefined;
}

export const bucketKmsEncrypted = stackPolicy({
  name: "backup-bucket-kms-encrypted",
  description:
    "The backup bucket and its replica encrypt by default with SSE-KMS under a key of their own: reading a backup then " +
    "takes both S3 and key permissions, every decrypt is logged, and the key's policy decides who restores.",
  validate: (view, args, report) => {
    for (const bucket of backupHoldingBucketsOrNotApplicable(view, args)) {
      const configurations = attachedTo(view, bucket, "bucketEncryption");
      if (configurations.length === 0) {
        report(
          `${describeBucket(bucket)} has no server-side encryption configuration`,
          bucket.resource.urn,
        );
      }
      for (const configuration of configurations) {
        const rules = (configuration.props as BucketEncryptionProps).rules;
        if (isUnknown(rules)) continue;
        const problems = list(rules).map(ruleProblem);
        if (problems.length > 0 && problems.some((p) => p === undefined)) continue;
        const why = problems.length === 0 ? "has no rules" : problems.join("; ");
        report(`encryption of ${describeBucket(bucket)} ${why}`, configuration.resource.urn);
      }
    }
  },
});
