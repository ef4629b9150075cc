/**
 * pg-restore-test (weekly): proves the newest PostgreSQL backup in S3 restores into a working
 * database, on the host itself (no Docker there): the engine restores it into a scratch directory
 * under the backup volume (`<local.root>/restore-test/<UTC stamp>`: room for a copy of the cluster,
 * unlike a tmpfs /tmp), a throwaway PostgreSQL of the host's major version starts on it on a free
 * loopback port (never archiving, never at the host's paths: scripts/lib/postgres/throwawayCluster.ts), and
 * the job then
 * - compares the check tables' row counts with those recorded with the backup (`rows.<table>`),
 * - reads every relation of every database with page checksums verified (`pg_amcheck --all`:
 *   scripts/jobs/pg-restore-test/relationCheck.ts), within CHECK_MINUTES: damage in any table or B-tree index
 *   fails the test, named by relation and block,
 * - publishes `RestoreTestRtoSeconds`: from the job's start to the first query answered.
 * It fails, naming each table and both counts, when a count differs, and cleans up (stops the
 * throwaway, removes the scratch directory) whatever happened; a run that was killed (no cleanup
 * then) leaves both to the next run, which stops and removes them first. The newest backup is the one tested:
 * when the engine marked it damaged the test fails naming it, and never tests an older clean one
 * in its place.
 *
 * Parameters: JOB_PARAMETERS in infra/catalog/jobParameters.ts (`--help` lists them).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { describeSeconds, Metric } from "../../infra/catalog";
import { rowCountKey } from "../lib/postgres/checkTables";
import { damagedBackupMessage } from "../lib/postgres/damagedBackups";
import { engineFor } from "../lib/engines";
import { backupTimeline } from "../lib/engines/walHistory";
import { JobError } from "../lib/job/errors";
import { formatBytes } from "../lib/job/format";
import type { JobUsage } from "../lib/job/jobCommand";
import { freeLoopbackPort } from "../lib/job/loopbackPort";
import { checkEveryRelation } from "./pg-restore-test/relationCheck";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";
import {
  removeAbandonedThrowaways,
  throwawayLayout,
  withRestoredThrowaway,
} from "../lib/postgres/throwawayCluster";
import { utcStamp } from "../lib/job/time";
import { JOB_PARAMETERS, parameterUsage } from "../../infra/catalog/jobParameters";

const PARAMETERS = JOB_PARAMETERS["pg-restore-test"];

async function restoreTest(ctx: JobContext): Promise<JobOutcome> {
  const { config, log } = ctx;
  const timeoutMs = ctx.params.integer(PARAMETERS.timeoutMinutes) * 60_000;
  const checkMs = ctx.params.integer(PARAMETERS.checkMinutes) * 60_000;
  ctx.params.check();
  const scratchParent = join(config.local.root, "restore-test");
  await removeAbandonedThrowaways(config, scratchParent, log);
  const engine = engineFor(config, ctx.hostId);
  await engine.requireInstalled();
  const backup = (await engine.list("s3")).at(-1);
  if (!backup)
    throw new JobError("there is no backup in the S3 repository to test", "run pg-backup");
  if (!backup.ok)
    throw new JobError(
      `the newest backup in the S3 repository cannot be trusted: ${damagedBackupMessage(backup)}; no older backup was tested in its place`,
      "repair the damaged relations named in the production cluster, then run pg-backup and pg-restore-test again",
    );
  const { tables, database } = config.postgres.check;
  const expected: Record<string, number> = {};
  const unrecorded: string[] = [];
  for (const table of tables) {
    const recorded = backup.annotations[rowCountKey(table)];
    if (recorded === undefined || !/^\d+$/.test(recorded)) unrecorded.push(table);
    else expected[table] = Number(recorded);
  }
  if (unrecorded.length > 0)
    throw new JobError(
      `backup ${backup.name} carries no row count for ${unrecorded.join(", ")} (annotations ${unrecorded.map(rowCountKey).join(", ")})`,
      "pg-backup records them; take a backup with this release's pg-backup",
    );

  const root = join(scratchParent, utcStamp(ctx.startedAt));
  const cluster = throwawayLayout(root, await freeLoopbackPort());
  log.info("restore test", {
    backup: backup.name,
    databaseBytes: backup.databaseBytes,
    scratch: root,
    port: cluster.port,
    expectedRows: expected,
  });
  try {
    return await withRestoredThrowaway(
      config,
      cluster,
      root,
      {
        restore: () =>
          engine.restore({
            source: { repository: "s3", host: ctx.hostId },
            backup: backup.name,
            target: { kind: "backup" },
            timeline: backupTimeline(backup),
            pgData: cluster.pgData,
            delta: false,
            archiveOff: true,
            scratchRoot: root,
          }),
        database,
        timeoutMs,
      },
      async (client) => {
        const restored: Record<string, number> = {};
        for (const table of tables) {
          const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
          restored[table] = Number(rows[0].n);
          if (Object.keys(restored).length === 1) {
            const rto = Math.round(ctx.elapsedSeconds());
            ctx.metrics.jobMetric(Metric.restoreTestRtoSeconds, rto);
            log.info("restored database answers", { rtoSeconds: rto });
          }
        }
        const differ = tables.filter((t) => restored[t] !== expected[t]);
        log.info("row counts", { expected, restored });
        if (differ.length > 0)
          throw new JobError(
            `backup ${backup.name} restored with different row counts: ${differ.map((t) => `${t} ${restored[t]} restored, ${expected[t]} recorded`).join("; ")}`,
            "the backup does not hold what was in the database when it was taken: keep it, take a fresh pg-backup, and compare with pg-verify",
          );
        const read = await checkEveryRelation(config, cluster, checkMs);
        log.info("every relation read", { seconds: read.seconds, budgetSeconds: checkMs / 1000 });
        const rto = Math.round(ctx.elapsedSeconds());
        return {
          summary: `pg-restore-test: backup ${backup.name} (${formatBytes(backup.databaseBytes)}) restored and queryable; row counts match (${tables.map((t) => `${t} ${restored[t]}`).join(", ")}); every relation of every database read with checksums verified, no damage (pg_amcheck, ${describeSeconds(read.seconds)}); done in ${describeSeconds(rto)}`,
        };
      },
    );
  } finally {
    await rm(root, { recursive: true, force: true }).catch((error: unknown) =>
      log.warn("could not remove the restore test's scratch directory", {
        root,
        error: (error as Error).message,
      }),
    );
  }
}

const USAGE: JobUsage = {
  summary:
    "Restores the newest PostgreSQL backup into a throwaway cluster on a free loopback port, compares the\n" +
    "check tables' row counts with the recorded ones, reads every relation with checksums verified\n" +
    "(pg_amcheck), publishes RestoreTestRtoSeconds, cleans up.",
  parameters: parameterUsage(PARAMETERS),
};

exitWith("pg-restore-test", USAGE, () => runJob("pg-restore-test", restoreTest));
