import type { BucketVersioningProps, VersioningConfigurationProps } from "../lib/awsProps";
import { attachedTo, backupHoldingBucketsOrNotApplicable, describeBucket } from "../lib/buckets";
import { stackPolicy } from "../lib/define";
import { isUnknown, record } from "../lib/known";

export const bucketVersioningEnabled = stackPolicy({
  name: "backup-bucket-versioning-enabled",
  description:
    "The backup bucket and its replica have versioning Enabled: an overwritten or deleted backup stays recoverable as a " +
    "noncurrent version instead of being gone with one mistaken call.",
  validate: (view, args, report) => {
    for (const bucket of backupHoldingBucketsOrNotApplicable(view, args)) {
      const configurations = attachedTo(view, bucket, "bucketVersioning");
      if (configurations.length === 0)
        report(`${describeBucket(bucket)} has no versioning configuration`, bucket.resource.urn);
      for (const configuration of configurations) {
        const settings = (configuration.props as BucketVersioningProps).versioningConfiguration;
        if (isUnknown(settings)) continue;
        const status = (record(settings) as VersioningConfigurationProps | undefined)?.status;
        if (isUnknown(status) || status === "Enabled") continue;
        report(
          `versioning of ${describeBucket(bucket)} is ${JSON.stringify(status ?? "not set")}, not 'Enabled'`,
          configuration.resource.urn,
        );
      }
    }
  },
});
