import { attachedTo, backupBucketsOrNotApplicable, describeBucket } from "../lib/buckets";
import { lifecycleOwnedRows } from "../lib/catalog";
import { stackPolicy } from "../lib/define";
import { isUnknown } from "../lib/known";
import { lifecycleRules, retentionProblems } from "../lib/lifecycle";
import {
  requiredRetentionDays,
  retentionConfigSchema,
  type RetentionConfig,
} from "../lib/retention";

const NAME = "backup-lifecycle-covers-catalog";

export const lifecycleCoversCatalog = stackPolicy({
  name: NAME,
  description:
    "Each catalog row whose S3 objects S3 lifecycle expires has an enabled lifecycle rule on its prefix, " +
    "and no rule reaching that prefix expires objects before the row's retention: a short rule deletes " +
    "backups the runbook promises to keep.",
  configSchema: retentionConfigSchema,
  validate: (view, args, report) => {
    const required = requiredRetentionDays(args.getConfig<RetentionConfig>());
    for (const bucket of backupBucketsOrNotApplicable(view, args)) {
      const rules = lifecycleRules(attachedTo(view, bucket, "bucketLifecycle"));
      if (isUnknown(rules)) continue;
      for (const row of lifecycleOwnedRows()) {
        const problems = retentionProblems(rules, {
          prefix: row.s3?.prefix ?? "",
          minimumDays: required[row.key],
          strictlyLonger: false,
          reason: `catalog row '${row.key}' (${row.title}) keeps ${required[row.key]} days`,
          allowDeliberately: (days) =>
            `to keep it ${days} days deliberately, say so in the policy config (--policy-pack-config, or npm run policy -- --config): ${JSON.stringify({ [NAME]: { retentionDays: { [row.key]: days } } })}`,
        });
        for (const problem of problems) {
          report(
            `${describeBucket(bucket)}: ${problem.message}`,
            (problem.configuration ?? bucket).resource.urn,
          );
        }
      }
    }
  },
});
