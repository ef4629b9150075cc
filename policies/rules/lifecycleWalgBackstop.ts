import { attachedTo, backupBucketsOrNotApplicable, describeBucket } from "../lib/buckets";
import { walgOwnedRows, walgPrefixes } from "../lib/catalog";
import { stackPolicy } from "../lib/define";
import { isUnknown } from "../lib/known";
import { lifecycleRules, retentionProblems } from "../lib/lifecycle";
import { requiredRetentionDays, retentionConfigSchema, type RetentionConfig } from "../lib/retention";
import type { StackView } from "../lib/stackView";

/** Name of the stack output through which this project's program publishes wal-g's retention. */
export const WALG_RETENTION_OUTPUT = "walgRetention";

/**
 * Days wal-g keeps: the longest retention of the rows it owns (a base backup is useless without the
 * WAL written since), or the stack's own `walgRetention` output when that is longer. A real preview
 * may carry no outputs yet, so the catalog (with the policy config's overrides) is the floor.
 */
function walgRetentionDays(view: StackView, config: RetentionConfig): { days: number; source: string } {
  const required = requiredRetentionDays(config);
  const rows = walgOwnedRows();
  const fromCatalog = Math.max(...rows.map((row) => required[row.key]));
  const output = view.stackOutputs()[WALG_RETENTION_OUTPUT];
  if (typeof output === "number" && output > fromCatalog) {
    return { days: output, source: `stack output ${WALG_RETENTION_OUTPUT}` };
  }
  return { days: fromCatalog, source: `catalog rows ${rows.map((row) => `'${row.key}'`).join(", ")}` };
}

export const lifecycleWalgBackstop = stackPolicy({
  name: "backup-lifecycle-walg-backstop",
  description:
    "On wal-g's prefix, `wal-g delete` owns retention and S3 lifecycle is only a backstop for what it " +
    "failed to delete: every rule reaching that prefix must expire strictly later than wal-g's retention, " +
    "or it deletes WAL that a kept base backup needs and breaks point-in-time recovery silently.",
  configSchema: retentionConfigSchema,
  validate: (view, args, report) => {
    const walg = walgRetentionDays(view, args.getConfig<RetentionConfig>());
    for (const bucket of backupBucketsOrNotApplicable(view, args)) {
      const rules = lifecycleRules(attachedTo(view, bucket, "bucketLifecycle"));
      if (isUnknown(rules)) continue;
      for (const prefix of walgPrefixes()) {
        const problems = retentionProblems(rules, {
          prefix,
          minimumDays: walg.days,
          strictlyLonger: true,
          reason: `wal-g keeps ${walg.days} days there (${walg.source})`,
        });
        for (const problem of problems) {
          report(`${describeBucket(bucket)}: ${problem.message}`, (problem.configuration ?? bucket).resource.urn);
        }
      }
    }
  },
});
