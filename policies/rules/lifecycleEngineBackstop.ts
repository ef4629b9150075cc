import { attachedTo, backupBucketsOrNotApplicable, describeBucket } from "../lib/buckets";
import { engineOwnedRows, enginePrefixes } from "../lib/catalog";
import { stackPolicy } from "../lib/define";
import { isUnknown } from "../lib/known";
import { lifecycleRules, retentionProblems } from "../lib/lifecycle";
import {
  requiredRetentionDays,
  retentionConfigSchema,
  type RetentionConfig,
} from "../lib/retention";
import type { StackView } from "../lib/stackView";
import { postgresRetentionDays } from "../../infra/catalog";

/** Name of the stack output through which this project's program publishes the PostgreSQL engine's retention. */
export const POSTGRES_RETENTION_OUTPUT = "postgresRetention";

/**
 * Days the PostgreSQL engine keeps: the stack's rule (`postgresRetentionDays`) over the catalog rows with the policy
 * config's overrides, or the stack's own `postgresRetention` output when that is longer. A real preview
 * may carry no outputs yet, so the catalog is the floor.
 */
function engineRetention(
  view: StackView,
  config: RetentionConfig,
): { days: number; source: string } {
  const rows = engineOwnedRows();
  const fromCatalog = postgresRetentionDays(requiredRetentionDays(config));
  const output = view.stackOutputs()[POSTGRES_RETENTION_OUTPUT];
  if (typeof output === "number" && output > fromCatalog) {
    return { days: output, source: `stack output ${POSTGRES_RETENTION_OUTPUT}` };
  }
  return {
    days: fromCatalog,
    source: `catalog rows ${rows.map((row) => `'${row.key}'`).join(", ")}`,
  };
}

export const lifecycleEngineBackstop = stackPolicy({
  name: "backup-lifecycle-engine-backstop",
  description:
    "On the PostgreSQL engine's prefix, the engine's expire owns retention and S3 lifecycle is only a backstop for what it " +
    "failed to delete: every rule reaching that prefix must expire strictly later than the engine's retention, " +
    "or it deletes WAL that a kept base backup needs and breaks point-in-time recovery silently.",
  configSchema: retentionConfigSchema,
  validate: (view, args, report) => {
    const engine = engineRetention(view, args.getConfig<RetentionConfig>());
    for (const bucket of backupBucketsOrNotApplicable(view, args)) {
      const rules = lifecycleRules(attachedTo(view, bucket, "bucketLifecycle"));
      if (isUnknown(rules)) continue;
      for (const prefix of enginePrefixes()) {
        const problems = retentionProblems(rules, {
          prefix,
          minimumDays: engine.days,
          strictlyLonger: true,
          reason: `the PostgreSQL engine keeps ${engine.days} days there (${engine.source})`,
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
