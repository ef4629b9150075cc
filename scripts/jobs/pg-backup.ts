/**
 * pg-backup: the runbook's daily backup of PostgreSQL through the stack's engine, first into the
 * S3 repository (off-site matters most), then into the local repository (the runbook's
 * "S3 + Local"). In S3 it takes the kind the stack's backup plan says is due (a full every run by
 * default, as the runbook does; infra/catalog/backupPlan.ts), or the kind KIND asks for. The check tables' row counts are stored with each backup. A backup is listed only
 * once the engine has it complete, with the WAL it needs archived: a killed run leaves nothing that
 * looks usable.
 *
 * The local repository takes an incremental backup on most days (only files changed since its last
 * backup are read) and a full one when its newest full is older than LOCAL_FULL_DAYS, so the primary
 * reads its whole data set once a day, not twice; an engine that takes no incremental backups (its
 * descriptor's `backupKinds`) takes a full one every day.
 *
 * The data files are read from the primary, or from a streaming standby of it where the host
 * config's `postgres.backupFrom` names one (infra/catalog/backupFrom.ts): the standby is checked
 * first, and one that cannot be read from is passed over for the primary, or the run fails, as the
 * stack says. A backup read from the standby is reported only once the WAL segment it ends in is
 * in the repository (standbyBackup.ts).
 *
 * Run on a standby host, it backs up nothing and says so, unless the engine's descriptor backs up
 * from a standby (`backsUpFromStandby`): the primary's run takes the backups.
 *
 * Parameters: JOB_PARAMETERS in infra/catalog/jobParameters.ts (`--help` lists them).
 */
import { describeSeconds, Metric } from "../../infra/catalog";
import { checkTableRowCounts, rowCountAnnotations } from "../lib/postgres/checkTables";
import { damagedBackupMessage } from "../lib/postgres/damagedBackups";
import { backupKindDue, type BackupKindDecision } from "../../infra/catalog/backupPlan";
import { engineFor, type BackupKind, type EngineBackup, type Repository } from "../lib/engines";
import { JobError, UsageError } from "../lib/job/errors";
import { formatBytes } from "../lib/job/format";
import { localRoom } from "../lib/storage/localCopies";
import { connectPostgres } from "../lib/postgres/connection";
import {
  awaitArchivedSegment,
  chooseBackupSource,
  standbyVerdict,
  type BackupSourceChoice,
} from "../lib/postgres/standbyBackup";
import type { JobUsage } from "../lib/job/jobCommand";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";
import { JOB_PARAMETERS, parameterUsage } from "../../infra/catalog/jobParameters";

const PARAMETERS = JOB_PARAMETERS["pg-backup"];

/** Days after which the local repository takes a full backup again instead of an incremental. */
export const LOCAL_FULL_DAYS = 7;

async function isStandby(ctx: JobContext): Promise<boolean> {
  const client = await connectPostgres(ctx.config);
  try {
    const { rows } = await client.query<{ standby: boolean }>(
      "SELECT pg_is_in_recovery() AS standby",
    );
    return rows[0].standby;
  } finally {
    await client.end();
  }
}

function localKind(
  localBackups: readonly EngineBackup[],
  now: Date,
  kinds: readonly BackupKind[],
): "full" | "incremental" {
  if (!kinds.includes("incremental")) return "full";
  const newestFull = localBackups.filter((b) => b.kind === "full").at(-1);
  if (!newestFull) return "full";
  const ageDays = (now.getTime() - newestFull.stoppedAt.getTime()) / 86_400_000;
  return ageDays >= LOCAL_FULL_DAYS ? "full" : "incremental";
}

/**
 * The kind this run takes in S3: the one asked for, or under KIND=auto the plan's
 * (`backupKindDue`). Refused before anything is backed up when the engine does not take that kind,
 * or when a differential or incremental has no full to build on.
 */
async function s3Kind(
  ctx: JobContext,
  engine: ReturnType<typeof engineFor>,
  asked: "auto" | BackupKind,
): Promise<BackupKindDecision> {
  const { backupPlan } = ctx.config.postgres;
  const kinds = engine.descriptor.backupKinds;
  if (asked !== "auto" && !kinds.includes(asked))
    throw new UsageError(
      `KIND=${asked} is not a kind ${engine.descriptor.title} takes; allowed: auto, ${kinds.join(", ")}`,
      "nothing was backed up",
    );
  if (asked === "full") return { kind: "full", reason: "asked for with KIND=full" };
  if (asked === "auto" && backupPlan.betweenFulls === undefined)
    return backupKindDue(backupPlan, undefined, new Date());
  const newestFull = (await engine.list("s3")).filter((b) => b.kind === "full" && b.ok).at(-1);
  if (asked === "auto") return backupKindDue(backupPlan, newestFull?.startedAt, new Date());
  if (!newestFull)
    throw new UsageError(
      `KIND=${asked} needs a full backup in the S3 repository to build on, and it holds none that is usable`,
      "run with KIND=full or KIND=auto; nothing was backed up",
    );
  return { kind: asked, reason: `asked for with KIND=${asked}` };
}

/**
 * Which cluster this run reads: FROM=primary the primary, FROM=standby the host config's standby
 * (refused when it names none, failing when it cannot be read from), FROM=plan as the host config
 * says (`chooseBackupSource`).
 */
async function backupSource(
  ctx: JobContext,
  asked: "plan" | "primary" | "standby",
): Promise<BackupSourceChoice> {
  const from = ctx.config.postgres.backupFrom;
  if (asked === "primary") return { note: "read from the primary (asked for with FROM=primary)" };
  if (from === undefined) {
    if (asked === "standby")
      throw new UsageError(
        "FROM=standby needs a standby to read from, and the host config's postgres.backupFrom names none (stack config postgresBackupFrom)",
        "nothing was backed up",
      );
    return chooseBackupSource(undefined, undefined);
  }
  return chooseBackupSource(from, await standbyVerdict(ctx.config, from), asked === "standby");
}

/** How long a backup read from a standby waits for its last WAL segment in a repository. */
function walWaitMs(ctx: JobContext): number {
  return Math.max(120, ctx.config.postgres.archiveTimeoutSeconds) * 1000;
}

async function backup(ctx: JobContext): Promise<JobOutcome> {
  const { config, log } = ctx;
  const asked = ctx.params.choice(PARAMETERS.kind);
  const startFast = ctx.params.flag(PARAMETERS.startFast);
  const withLocal = ctx.params.flag(PARAMETERS.local);
  const fromAsked = ctx.params.choice(PARAMETERS.from);
  ctx.params.check();

  const engine = engineFor(config, ctx.hostId);
  const version = await engine.requireInstalled();
  if (!engine.descriptor.backsUpFromStandby && (await isStandby(ctx))) {
    log.info("standby: nothing backed up");
    return {
      summary:
        "PostgreSQL here is a standby (in recovery): nothing backed up; the primary's pg-backup takes the backups",
    };
  }
  const decision = await s3Kind(ctx, engine, asked);
  let source = await backupSource(ctx, fromAsked);
  if (source.fallback)
    log.warn("the standby cannot be read from: backing up from the primary", {
      reason: source.fallback,
    });
  const counts = await checkTableRowCounts(config);
  const annotations = rowCountAnnotations(counts);
  // A backup read from the standby is usable only once the WAL segment it ends in is archived.
  const read = async (kind: BackupKind, repository: Repository): Promise<EngineBackup> => {
    const taken = await engine.backup({
      kind,
      repository,
      annotations,
      startFast,
      ...(source.standby ? { standby: source.standby } : {}),
    });
    if (source.standby)
      await awaitArchivedSegment(
        config,
        engine,
        { repository, host: ctx.hostId },
        taken.walStop,
        walWaitMs(ctx),
      );
    return taken;
  };
  // The standby can fail the engine after passing the checks (it stops, or stops replaying): where
  // the plan falls back, the primary is read instead, as it would have been had the checks failed.
  const fallsBack =
    fromAsked === "plan" && config.postgres.backupFrom?.whenStandbyUnavailable === "primary";
  const takeBackup = async (kind: BackupKind, repository: Repository): Promise<EngineBackup> => {
    try {
      return await read(kind, repository);
    } catch (error) {
      if (!source.standby || !fallsBack) throw error;
      const reason = `the backup from the standby failed: ${(error as Error).message}`;
      log.warn("the backup from the standby failed: backing up from the primary", { reason });
      source = { note: `read from the primary, not the standby: ${reason}`, fallback: reason };
      return read(kind, repository);
    }
  };
  log.info("backup started", {
    engine: engine.descriptor.title,
    version,
    repository: "s3",
    kind: decision.kind,
    why: decision.reason,
    readFrom: source.standby ? "standby" : "primary",
    rowCounts: counts,
    startFast,
  });

  const s3 = await takeBackup(decision.kind, "s3");
  // Said once the backup is taken, by every run that looked at the standby (FROM=plan or
  // FROM=standby): a run that failed says nothing here (job-failed pages), and an on-demand
  // FROM=primary run never looked, so it neither raises nor clears the alarm.
  if (config.postgres.backupFrom && fromAsked !== "primary")
    ctx.metrics.rowMetric("postgres", Metric.standbyFallback, source.fallback ? 1 : 0);
  ctx.metrics.rowMetric("postgres", Metric.backupBytes, s3.storedBytes);
  const seconds = (s3.stoppedAt.getTime() - s3.startedAt.getTime()) / 1000;
  log.info("backup complete", {
    repository: "s3",
    name: s3.name,
    kind: s3.kind,
    ...(s3.prior ? { prior: s3.prior } : {}),
    wal: `${s3.walStart}..${s3.walStop}`,
    databaseBytes: s3.databaseBytes,
    storedBytes: s3.storedBytes,
    seconds,
  });
  if (!s3.ok)
    throw new JobError(
      `backup ${s3.name} completed with errors: ${engine.descriptor.title} found damage while reading the cluster (page checksum failures): ${damagedBackupMessage(s3)}`,
      "the files and blocks named are damaged in the running cluster: find the relation with pg_filenode_relation(), restore it from the last clean backup or rebuild it (an index: REINDEX), then run pg-backup; the backup is kept but must not be trusted",
    );
  const s3Line = `${s3.kind} backup ${s3.name}${s3.prior ? ` (on ${s3.prior})` : ""} in S3 (${decision.reason}), ${source.note}: ${formatBytes(s3.databaseBytes)} of data, ${formatBytes(s3.storedBytes)} stored, ${describeSeconds(Math.round(seconds))}`;
  if (!withLocal) return { summary: `${s3Line}; no local copy (LOCAL=no)` };

  const room = await localRoom(config, "postgres");
  if (!room.ok)
    throw new JobError(
      `${s3Line}; the local copy was refused: the backup file system is ${room.percent}% full (limit ${room.limit}%)`,
      `free space under ${config.local.root}, or raise local.maxDiskUsagePercent; the S3 backup is complete`,
    );
  const kind = localKind(await engine.list("local"), new Date(), engine.descriptor.backupKinds);
  const local = await takeBackup(kind, "local");
  log.info("backup complete", {
    repository: "local",
    name: local.name,
    kind: local.kind,
    storedBytes: local.storedBytes,
  });
  return {
    summary: `${s3Line}; ${local.kind} ${local.name} in the local repository (${formatBytes(local.storedBytes)} stored)`,
  };
}

const USAGE: JobUsage = {
  summary:
    "Backup of PostgreSQL through the stack's engine into S3 (a full, or the backup plan's kind between fulls), then the local repository, with the check tables' row counts.",
  parameters: parameterUsage(PARAMETERS),
};

exitWith("pg-backup", USAGE, () => runJob("pg-backup", backup));
