import type { BucketPolicyProps } from "../lib/awsProps";
import { attachedTo, buckets, describeBucket, type BucketView } from "../lib/buckets";
import { stackPolicy } from "../lib/define";
import { parsePolicyDocument, type Statement } from "../lib/policyDocument";
import { isTlsDenial } from "../lib/tlsDenial";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Which of the bucket's two ARNs (`…:bucket`, `…:bucket/*`) a TLS-denying statement covers. */
function covered(statement: Statement, bucket: BucketView): { bucket: boolean; objects: boolean } {
  const name = typeof bucket.bucketName === "string" ? escapeRegExp(bucket.bucketName) : "[^/]+";
  const bucketArn = new RegExp(`^arn:[^:]+:s3:::${name}$`);
  const objectArn = new RegExp(`^arn:[^:]+:s3:::${name}/\\*$`);
  return {
    bucket: statement.resources.some((r) => bucketArn.test(r)),
    objects: statement.resources.some((r) => objectArn.test(r)),
  };
}

export const bucketTlsOnly = stackPolicy({
  name: "backup-bucket-tls-only",
  description:
    "Every bucket of the stack has a bucket policy that denies all S3 actions to everyone when " +
    "aws:SecureTransport is false, on the bucket and on its objects: backups never travel in clear text.",
  validate: (view, _args, report) => {
    for (const bucket of buckets(view)) {
      const policies = attachedTo(view, bucket, "bucketPolicy");
      if (policies.length === 0) {
        report(
          `${describeBucket(bucket)} has no bucket policy, so requests without TLS are allowed`,
          bucket.resource.urn,
        );
        continue;
      }
      let undetermined = false;
      let bucketDenied = false;
      let objectsDenied = false;
      for (const policy of policies) {
        const parsed = parsePolicyDocument((policy.props as BucketPolicyProps).policy);
        if (parsed.ok === "unknown") undetermined = true;
        if (parsed.ok !== true) continue;
        for (const statement of parsed.statements.filter((st) => isTlsDenial(st, "s3"))) {
          const c = covered(statement, bucket);
          bucketDenied ||= c.bucket;
          objectsDenied ||= c.objects;
        }
      }
      if (undetermined || (bucketDenied && objectsDenied)) continue;
      const missing = [bucketDenied ? [] : ["the bucket"], objectsDenied ? [] : ["its objects"]]
        .flat()
        .join(" and ");
      report(
        `bucket policy of ${describeBucket(bucket)} does not deny s3:* without TLS (Deny, Principal '*', ` +
          `Bool aws:SecureTransport=false) on ${missing}`,
        policies[0].resource.urn,
      );
    }
  },
});
