import type { BucketLoggingProps } from "../lib/awsProps";
import { attachedTo, backupBucketsOrNotApplicable, describeBucket } from "../lib/buckets";
import { stackPolicy } from "../lib/define";
import { text } from "../lib/known";

export const bucketAccessLogging = stackPolicy({
  name: "backup-bucket-access-logging",
  description:
    "The backup bucket writes server access logs to another bucket: after an incident they show who " +
    "read, wrote or deleted which backup, which CloudTrail's management events do not.",
  validate: (view, args, report) => {
    for (const bucket of backupBucketsOrNotApplicable(view, args)) {
      const loggings = attachedTo(view, bucket, "bucketLogging");
      if (loggings.length === 0)
        report(`${describeBucket(bucket)} has no access logging`, bucket.resource.urn);
      for (const logging of loggings) {
        const target = text((logging.props as BucketLoggingProps).targetBucket);
        if (target === undefined) {
          report(
            `access logging of ${describeBucket(bucket)} has no targetBucket`,
            logging.resource.urn,
          );
        } else if (target === bucket.bucketName) {
          // Each log delivery is itself a write that gets logged: the bucket would fill with its own logs.
          report(
            `${describeBucket(bucket)} logs into itself; send its access logs to a separate bucket`,
            logging.resource.urn,
          );
        }
      }
    }
  },
});
