/**
 * pg-verify: proves the PostgreSQL backups can be restored, every day after pg-backup. It fails,
 * with every reason at once, when:
 * - no backup is in the S3 repository, or the newest complete one is older than MAX_AGE_HOURS
 *   (default: the postgres row's RPO, the runbook's 24 h), measured from when it stopped (a
 *   differential or incremental counts only with its whole chain);
 * - the stack's backup plan takes a full every few days and the newest full in S3 is overdue;
 * - the engine's verify finds a damaged, empty, unreadable or missing backup file or WAL segment,
 *   or a WAL gap that a kept backup or point-in-time recovery needs (each named), or fails without
 *   naming one (its own words);
 * - a backup the engine marked damaged (page checksum failures) is still listed, newest or not;
 * - the repository holds a timeline the cluster never had (a promoted copy archived into it),
 *   named with its first segment;
 * - PostgreSQL's archiver is failing (pg_stat_archiver) or WAL waits longer than the WAL row's RPO;
 * - a WAL segment archived now does not arrive in every repository (the engine's check).
 *
 * Parameters: JOB_PARAMETERS in infra/catalog/jobParameters.ts (`--help` lists them).
 */
import { BACKUP_TYPES, describeSeconds, Metric } from "../../infra/catalog";
import { fullBackupOverdue } from "../../infra/catalog/backupPlan";
import { archiverStatus } from "../lib/postgres/archiver";
import {
  engineFor,
  REPOSITORIES,
  type EngineBackup,
  type PostgresEngineAdapter,
  type Repository,
} from "../lib/engines";
import { errorMessage, JobError } from "../lib/job/errors";
import { connectPostgres } from "../lib/postgres/connection";
import type { JobUsage } from "../lib/job/jobCommand";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";
import { postgresBackupAge } from "../lib/postgres/backupAge";
import { strayTimelineProblems } from "../lib/postgres/strayTimelines";
import { JOB_PARAMETERS, parameterUsage } from "../../infra/catalog/jobParameters";

const PARAMETERS = JOB_PARAMETERS["pg-verify"];

/** The newest good backup of one repository against the age limit (S3's age is the published one). */
function ageProblems(
  ctx: JobContext,
  repository: Repository,
  backups: readonly EngineBackup[],
  maxAgeSeconds: number,
): string[] {
  const now = new Date();
  const age = postgresBackupAge(backups, now, maxAgeSeconds, repository);
  const newestFull = backups.filter((b) => b.kind === "full" && b.ok).at(-1);
  // The plan is the S3 repository's; the local one keeps its own cadence of fulls.
  const overdue =
    repository === "s3" && newestFull
      ? fullBackupOverdue(ctx.config.postgres.backupPlan, newestFull, now)
      : undefined;
  if (age.newest && age.ageSeconds !== undefined) {
    if (repository === "s3")
      ctx.metrics.rowMetric("postgres", Metric.backupAgeSeconds, age.ageSeconds);
    ctx.log.info("newest backup", {
      repository,
      name: age.newest.name,
      stoppedAt: age.newest.stoppedAt.toISOString(),
      ageSeconds: age.ageSeconds,
    });
  }
  return [...(age.problem ? [age.problem] : []), ...(overdue ? [overdue] : [])];
}

async function repositoryProblems(
  ctx: JobContext,
  engine: PostgresEngineAdapter,
  repository: Repository,
  maxAgeSeconds: number,
): Promise<{ problems: string[]; walRanges: number }> {
  try {
    // One listing serves the age rule and the stray-timeline check.
    const backups = await engine.list(repository);
    const problems = ageProblems(ctx, repository, backups, maxAgeSeconds);
    const report = await engine.verify(repository);
    ctx.log.info("verify", {
      repository,
      ok: report.ok,
      backups: report.backupsChecked,
      walRanges: report.walRanges,
      problems: report.problems,
    });
    problems.push(...report.problems.map((p) => `${repository} repository: ${p.message}`));
    // A failed verify is a failure even when nothing in it could be named.
    if (!report.ok && report.problems.length === 0)
      problems.push(
        `${repository} repository: ${engine.descriptor.title}'s verify failed without naming a file or segment; read its log`,
      );
    const stray = await strayTimelineProblems(ctx.config, engine, ctx.hostId, repository, backups);
    if (stray.length > 0) ctx.log.error("stray timelines", { repository, problems: stray });
    problems.push(...stray.map((p) => `${repository} repository: ${p.message}`));
    return { problems, walRanges: report.walRanges.length };
  } catch (error) {
    return {
      problems: [`${repository} repository could not be verified: ${errorMessage(error)}`],
      walRanges: 0,
    };
  }
}

/** PostgreSQL's own view of archiving; undefined `standby` when PostgreSQL cannot be reached. */
async function archiverProblems(
  ctx: JobContext,
): Promise<{ standby?: boolean; problems: string[] }> {
  let client;
  try {
    client = await connectPostgres(ctx.config);
  } catch (error) {
    return { problems: [`PostgreSQL's archiver could not be checked: ${errorMessage(error)}`] };
  }
  try {
    const s = await archiverStatus(client);
    ctx.log.info("archiver", { ...s });
    const problems: string[] = [];
    if (s.archiveMode === "off")
      problems.push(
        "archive_mode is off: no WAL is archived, point-in-time recovery is impossible",
      );
    const failing =
      s.lastFailedTime && (!s.lastArchivedTime || s.lastFailedTime > s.lastArchivedTime);
    if (failing)
      problems.push(
        `WAL archiving is failing: segment ${s.lastFailedWal} last failed at ${s.lastFailedTime?.toISOString()} (${s.failedCount} failures since ${s.statsReset?.toISOString() ?? "the stats reset"})`,
      );
    const rpo = BACKUP_TYPES.wal.rpoSeconds;
    if (s.lagSeconds > rpo)
      problems.push(
        `${s.readyCount} WAL segment(s) wait to be archived, the oldest for ${describeSeconds(s.lagSeconds)} (WAL RPO ${describeSeconds(rpo)})`,
      );
    return { standby: s.standby, problems };
  } finally {
    await client.end();
  }
}

async function verify(ctx: JobContext): Promise<JobOutcome> {
  const maxAgeHours = ctx.params.integer(PARAMETERS.maxAgeHours);
  const repositories = ctx.params.list(PARAMETERS.repositories.env, REPOSITORIES);
  ctx.params.check();
  const engine = engineFor(ctx.config, ctx.hostId);
  await engine.requireInstalled();

  // Every check runs whatever the others found, so one run names every problem.
  const problems: string[] = [];
  let walChecked = 0;
  for (const repository of repositories) {
    const result = await repositoryProblems(ctx, engine, repository, maxAgeHours * 3600);
    problems.push(...result.problems);
    walChecked += result.walRanges;
  }
  const archiver = await archiverProblems(ctx);
  problems.push(...archiver.problems);
  // The engine's check archives into every repository: it belongs to a run that includes S3.
  if (archiver.standby === false && repositories.includes("s3")) {
    try {
      await engine.check();
    } catch (error) {
      problems.push(
        `a WAL segment archived now did not reach every repository: ${errorMessage(error)}`,
      );
    }
  }
  if (problems.length > 0)
    throw new JobError(
      `${problems.length} problem(s) with the PostgreSQL backups: ${problems.join("; ")}`,
      "fix what is named, then run pg-backup (a fresh full backup starts a clean chain) and pg-verify again",
    );
  return {
    summary: `PostgreSQL backups verified in ${repositories.join(" and ")} (${walChecked} contiguous WAL range(s)); archiver healthy`,
  };
}

const USAGE: JobUsage = {
  summary:
    "Fails, naming every problem, unless the newest PostgreSQL backup is young enough and every backup file and WAL segment verifies.",
  parameters: parameterUsage(PARAMETERS),
};

exitWith("pg-verify", USAGE, () => runJob("pg-verify", verify));
