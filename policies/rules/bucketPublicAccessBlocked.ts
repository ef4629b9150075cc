import type { BucketPublicAccessBlockProps } from "../lib/awsProps";
import { attachedTo, buckets, describeBucket } from "../lib/buckets";
import { stackPolicy } from "../lib/define";
import { isUnknown } from "../lib/known";

const FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
] as const;

export const bucketPublicAccessBlocked = stackPolicy({
  name: "backup-bucket-public-access-blocked",
  description:
    "Every bucket of the stack (backups and their access logs) has a public access block with all four " +
    "flags on, so no ACL or bucket policy written later can make a database dump public.",
  validate: (view, _args, report) => {
    for (const bucket of buckets(view)) {
      const blocks = attachedTo(view, bucket, "bucketPublicAccessBlock");
      if (blocks.length === 0)
        report(`${describeBucket(bucket)} has no public access block`, bucket.resource.urn);
      for (const block of blocks) {
        const props = block.props as BucketPublicAccessBlockProps;
        const off = FLAGS.filter((flag) => !isUnknown(props[flag]) && props[flag] !== true);
        if (off.length > 0)
          report(
            `public access block of ${describeBucket(bucket)} leaves ${off.join(", ")} off`,
            block.resource.urn,
          );
      }
    }
  },
});
