import { AwsType } from "../lib/awsTypes";
import {
  attachedTo,
  buckets,
  bucketsWithRole,
  describeBucket,
  SINGLETON_BUCKET_KINDS,
} from "../lib/buckets";
import { BUCKET_ROLE_TAG, BucketRole } from "../lib/catalog";
import { stackPolicy } from "../lib/define";

/** `aws:s3/bucketVersioning:BucketVersioning` → `BucketVersioning`. */
function shortType(kind: (typeof SINGLETON_BUCKET_KINDS)[number]): string {
  return AwsType[kind][0].split(":").pop() ?? kind;
}

export const bucketConfiguredOnce = stackPolicy({
  name: "backup-bucket-configured-once",
  description:
    "The stack has exactly one bucket tagged as the backup bucket, and no bucket has two resources of " +
    "one bucket-level kind (versioning, encryption, public access block, policy, logging, lifecycle, " +
    "ownership): AWS keeps one of each, so two would overwrite each other on every deployment.",
  validate: (view, _args, report) => {
    const backupBuckets = bucketsWithRole(view, BucketRole.backups);
    if (backupBuckets.length !== 1) {
      const names = backupBuckets.map((b) => b.resource.name).join(", ");
      report(
        `the stack needs exactly one bucket tagged ${BUCKET_ROLE_TAG}=${BucketRole.backups}, found ${backupBuckets.length}` +
          (names ? ` (${names})` : ""),
      );
    }
    for (const bucket of buckets(view)) {
      for (const kind of SINGLETON_BUCKET_KINDS) {
        const attached = attachedTo(view, bucket, kind);
        if (attached.length <= 1) continue;
        report(
          `${describeBucket(bucket)} has ${attached.length} ${shortType(kind)} resources ` +
            `(${attached.map((r) => r.resource.name).join(", ")}); keep one`,
          bucket.resource.urn,
        );
      }
    }
  },
});
