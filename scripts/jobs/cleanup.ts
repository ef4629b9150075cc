/**
 * cleanup: retention. The PostgreSQL engine's expire removes backups past the longer of
 * `retentionDays.postgres` and `retentionDays.wal` (S3; `engineRetentionDays`) and
 * `local.retentionDays.postgres` (local) and the WAL only they needed; it never removes the
 * newest full backup or WAL a kept backup needs for point-in-time recovery. A repository that records
 * another cluster (system identifier) than this host's is refused before anything is removed: the
 * job fails and pages, and that repository is left as it is. S3 lifecycle rules on
 * `postgres/` are only a longer backstop. The other rows' local copies are pruned by their own jobs
 * after each run, and again here so a job that stopped running does not keep its copies forever.
 */
import { engineFor } from "../lib/engines";
import { pruneLocalCopies } from "../lib/storage/localCopies";
import { LOCAL_ARCHIVE_PATTERN } from "../lib/configs/configArchive";
import { LOCAL_DUMP_PATTERN } from "../lib/redis/dumps";
import type { JobUsage } from "../lib/job/jobCommand";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";
import { JOB_PARAMETERS, parameterUsage } from "../../infra/catalog/jobParameters";

const PARAMETERS = JOB_PARAMETERS["cleanup"];

async function cleanup(ctx: JobContext): Promise<JobOutcome> {
  const dryRun = ctx.params.flag(PARAMETERS.dryRun);
  ctx.params.check();
  const engine = engineFor(ctx.config, ctx.hostId);
  await engine.requireInstalled();
  if (dryRun) {
    const wouldExpire = await engine.expire({ dryRun: true });
    const wouldPrune = [
      ...(await pruneLocalCopies(ctx.config, "redis", LOCAL_DUMP_PATTERN, ctx.log, {
        dryRun: true,
      })),
      ...(await pruneLocalCopies(ctx.config, "configs", LOCAL_ARCHIVE_PATTERN, ctx.log, {
        dryRun: true,
      })),
    ];
    ctx.log.info("dry run: nothing removed", { engine: wouldExpire, localCopies: wouldPrune });
    return {
      summary: `DRY RUN, nothing removed: the engine would act on ${wouldExpire.length} item(s)${wouldExpire.length ? ` (${wouldExpire.join("; ")})` : ""}; ${wouldPrune.length} local cop${wouldPrune.length === 1 ? "y" : "ies"} past retention`,
    };
  }
  const before = await engine.list();
  await engine.expire();
  const after = new Set((await engine.list()).map((b) => `${b.repository}:${b.name}`));
  const expired = before
    .filter((b) => !after.has(`${b.repository}:${b.name}`))
    .map((b) => `${b.repository}:${b.name}`);
  ctx.log.info("engine expire", { expired, kept: after.size });
  const pruned = [
    ...(await pruneLocalCopies(ctx.config, "redis", LOCAL_DUMP_PATTERN, ctx.log)),
    ...(await pruneLocalCopies(ctx.config, "configs", LOCAL_ARCHIVE_PATTERN, ctx.log)),
  ];
  return {
    summary: `expired ${expired.length} PostgreSQL backup(s) (${after.size} kept); pruned ${pruned.length} local cop${pruned.length === 1 ? "y" : "ies"}`,
  };
}

const USAGE: JobUsage = {
  summary:
    "The PostgreSQL engine's expire (backups past retention and the WAL only they needed), then the other rows' local copies past retention.",
  parameters: parameterUsage(PARAMETERS),
};

exitWith("cleanup", USAGE, () => runJob("cleanup", cleanup));
