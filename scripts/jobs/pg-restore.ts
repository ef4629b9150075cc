/**
 * pg-restore: restores PostgreSQL through the stack's engine to the newest state (`latest`), to a
 * named backup (`backup`: consistent at its end), or to a point in time (`time`), from this host's
 * S3 or local repository or from another host's S3 repository (a clone of production onto
 * staging). A dry run by default: it checks the target against the repository and prints every
 * step, the chosen backup, the WAL range it replays and the bytes involved. Every refusal (target
 * in the future, before the oldest backup, past the end of archived WAL, across a missing WAL
 * segment, unknown backup, bad time, source without a repository) happens before anything is
 * touched.
 *
 * With CONFIRM=yes-restore: stops PostgreSQL, moves the data directory aside to
 * `<pgData>.before-restore-<UTC stamp>` (or, with DELTA=yes, rewrites it in place: faster, but the
 * old state is gone), has the engine restore the backup with `recovery.signal` and its recovery
 * settings in postgresql.auto.conf (PostgreSQL 12+), starts PostgreSQL, logs replay progress every
 * 5 s until it is promoted, and reports the timeline, the last replayed commit time and the time
 * taken. The restore_command reads every repository the host has, each try bounded
 * (`fallbackRestoreCommand`); a recovery that stops or makes no progress for `STALL_MINUTES` fails
 * naming the WAL file it waited for, and a `latest` restore that replayed less than its plan's last
 * archived segment fails after promotion.
 *
 * A clone (SOURCE_HOST) starts with archive_mode off: the restored cluster carries the source's
 * system identifier, so this host's own repository (another cluster's) would refuse its WAL and
 * pg_wal would fill, and the source's repository must never receive WAL from a copy. Turn archiving
 * on once this host has a repository of its own for the clone (docs/runbook/restores.md).
 *
 * Parameters: JOB_PARAMETERS in infra/catalog/jobParameters.ts (`--help` lists them).
 */
import { sourceBucket, type SourceBucket } from "../lib/job/restoreSource";
import { existsSync } from "node:fs";
import { chown, mkdir, rename } from "node:fs/promises";
import { describeSeconds } from "../../infra/catalog";
import { account } from "../lib/job/accounts";
import { checkTableRowCounts } from "../lib/postgres/checkTables";
import { damagedBackupMessage } from "../lib/postgres/damagedBackups";
import { engineFor, type Repository, type RestoreTarget } from "../lib/engines";
import { JobError, UsageError } from "../lib/job/errors";
import { showArgv } from "../lib/job/exec";
import { formatBytes } from "../lib/job/format";
import type { JobUsage } from "../lib/job/jobCommand";
import { clusterTimeline } from "../lib/postgres/clusterTimeline";
import { connectPostgres } from "../lib/postgres/connection";
import { clusterSegmentSize } from "../lib/postgres/controlData";
import { replayShortfall, waitForPromotion } from "./pg-restore/recoveryProgress";
import { futureTargetProblem, planRestore } from "./pg-restore/restorePlan";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";
import { stopPostgres } from "../lib/postgres/shutdown";
import { isRunning, startService } from "../lib/job/service";
import { parseTargetTime, recoveryTargetTime } from "../lib/postgres/targetTime";
import { monotonicNow, secondsSince, utcStamp } from "../lib/job/time";
import { siblingPath } from "../lib/files/siblingPath";
import { JOB_PARAMETERS, parameterUsage } from "../../infra/catalog/jobParameters";

const PARAMETERS = JOB_PARAMETERS["pg-restore"];

const BACKUP_NAME_ALLOWED =
  "the engine's backup name, as pg-verify and the engine's listing show it";

interface Request {
  readonly confirmed: boolean;
  readonly target: RestoreTarget;
  readonly backupName?: string;
  readonly sourceHost: string;
  /** The replica's bucket with `SOURCE=replica`; absent: the engine config's (the primary). */
  readonly bucket?: SourceBucket;
  readonly repository: Repository;
  readonly delta: boolean;
  readonly timeoutMs: number;
  readonly stallMs: number;
}

/** Every parameter, checked together: all problems in one refusal, nothing touched. */
function readRequest(ctx: JobContext, backupNamePattern: RegExp): Request {
  const p = ctx.params;
  const confirmed = p.confirmed(PARAMETERS.confirm);
  const kind: RestoreTarget["kind"] = p.choice(PARAMETERS.target);
  const backupName = p.text(PARAMETERS.backupName.env, backupNamePattern, BACKUP_NAME_ALLOWED);
  const timeText = ctx.env[PARAMETERS.targetTime.env] || undefined;
  const sourceHost = p.sourceHost(PARAMETERS.sourceHost, ctx.hostId);
  const source = p.source(PARAMETERS.source, ctx.config);
  const repository: Repository = p.choice(PARAMETERS.repository);
  const delta = p.flag(PARAMETERS.delta);
  const timeoutMs = p.integer(PARAMETERS.timeoutMinutes) * 60_000;
  const stallMs = p.integer(PARAMETERS.stallMinutes) * 60_000;

  let target: RestoreTarget = { kind: "latest" };
  if (kind === "time") {
    if (timeText === undefined)
      p.problem("TARGET=time needs TARGET_TIME, e.g. 2024-01-15T14:30:00Z");
    else {
      const parsed = parseTargetTime(timeText);
      if ("problem" in parsed) p.problem(parsed.problem);
      else {
        const future = futureTargetProblem(parsed.time, new Date());
        if (future) p.problem(future);
        target = {
          kind: "time",
          time: parsed.time,
          recoveryTargetTime: parsed.recoveryTargetTime,
        };
      }
    }
  } else if (timeText !== undefined)
    p.problem(`TARGET_TIME is only read with TARGET=time (TARGET is ${kind})`);
  if (kind === "backup") {
    if (ctx.env.BACKUP_NAME === undefined || ctx.env.BACKUP_NAME === "")
      p.problem("TARGET=backup needs BACKUP_NAME: " + BACKUP_NAME_ALLOWED);
    target = { kind: "backup" };
  } else if (backupName !== undefined)
    p.problem(`BACKUP_NAME is only read with TARGET=backup (TARGET is ${kind})`);
  if (sourceHost !== ctx.hostId && repository === "local")
    p.problem(
      `REPOSITORY=local cannot restore SOURCE_HOST=${sourceHost}: that host's local repository is on that host; use REPOSITORY=s3`,
    );
  if (source === "replica" && repository === "local")
    p.problem(
      "REPOSITORY=local cannot be read from SOURCE=replica: the replica holds the S3 repositories; use REPOSITORY=s3",
    );
  p.check();
  const bucket = sourceBucket(ctx.config, source);
  return {
    confirmed,
    target,
    ...(backupName ? { backupName } : {}),
    sourceHost,
    ...(bucket ? { bucket } : {}),
    repository,
    delta,
    timeoutMs,
    stallMs,
  };
}

function describeTarget(target: RestoreTarget, backupName?: string): string {
  switch (target.kind) {
    case "latest":
      return "latest (every archived WAL segment)";
    case "backup":
      return `backup ${backupName} (consistent at its end)`;
    case "time":
      return `time ${recoveryTargetTime(target)}`;
  }
}

async function restore(ctx: JobContext): Promise<JobOutcome> {
  const { config, log } = ctx;
  const engine = engineFor(config, ctx.hostId);
  const request = readRequest(ctx, new RegExp(engine.descriptor.backupNamePattern));
  await engine.requireInstalled();
  const pg = config.postgres;
  const source = {
    repository: request.repository,
    host: request.sourceHost,
    ...(request.bucket ? { bucket: request.bucket } : {}),
  };
  const where = `the ${request.repository} repository of host ${request.sourceHost}${request.bucket ? ` in the replica s3://${request.bucket.name} (${request.bucket.region})` : ""}`;

  const backups = await engine.list(request.repository, request.sourceHost, request.bucket);
  const { segments, timelines } =
    backups.length > 0 ? await engine.walArchive(source) : { segments: [], timelines: [] };
  // The cluster this restore replaces is production only when the repository is its own.
  const ownCluster = request.sourceHost === ctx.hostId && !request.bucket;
  const current = ownCluster ? await clusterTimeline(config) : undefined;
  // The source cluster's segment size is this host's: a repository written with another one is
  // refused, by the adapter's listing or by the engine's restore itself.
  const segmentSize = await clusterSegmentSize(config);
  if (!segmentSize.fromControlFile)
    log.warn(
      `${pg.pgData} holds no cluster: the restore plan reads WAL segment names with PostgreSQL's default wal_segment_size of ${formatBytes(segmentSize.bytes)}`,
    );
  const planned = planRestore({
    backups,
    segments,
    target: request.target,
    ...(request.backupName ? { backupName: request.backupName } : {}),
    now: new Date(),
    where,
    timelines,
    ...(current !== undefined ? { clusterTimeline: current } : {}),
    walSegmentBytes: segmentSize.bytes,
  });
  if (!planned.ok)
    throw new UsageError(
      `cannot restore to ${describeTarget(request.target, request.backupName)}: ${planned.problems.join("; ")}`,
      "nothing was changed; pick another target (the engine's listing shows the backups and the WAL range)",
    );
  const plan = planned.plan;
  // The engine's listing can outlive a backup's files: every backup the restore reads is looked
  // for in the repository before anything is stopped, all at once (each is a listing of its own).
  const present = await Promise.all(
    plan.chain.map((b) => engine.backupDataPresent(source, b.name)),
  );
  const gone = plan.chain.filter((_, i) => !present[i]).map((b) => b.name);
  if (gone.length > 0)
    throw new UsageError(
      `cannot restore to ${describeTarget(request.target, request.backupName)}: the files of backup(s) ${gone.join(", ")} are not in ${where}, though the engine still lists ${gone.length === 1 ? "it" : "them"}${plan.chain.length > 1 ? ` (the restore of ${plan.backup.name} reads ${plan.chain.map((b) => b.name).join(" + ")})` : ""}`,
      "nothing was changed; run pg-verify to see every file missing, and restore TARGET=backup with an older backup whose files are there (or a time before the missing backup's)",
    );
  const running = await isRunning(pg.service);
  const aside = siblingPath(pg.pgData, `.before-restore-${utcStamp(ctx.startedAt)}`);
  if (!request.delta && existsSync(aside))
    throw new UsageError(
      `${aside} already exists: an earlier restore kept the data there`,
      "nothing was changed; move it away or wait a second and run again",
    );
  const clone = request.sourceHost !== ctx.hostId;

  log.info("restore plan", {
    target: describeTarget(request.target, request.backupName),
    source: where,
    backup: plan.backup.name,
    backupKind: plan.backup.kind,
    backupStoppedAt: plan.backup.stoppedAt.toISOString(),
    chain: plan.chain.map((b) => b.name),
    timeline: plan.timeline,
    timelineReason: plan.timelineReason,
    history: plan.history,
    notFollowed: plan.notFollowed.map((t) => ({
      timeline: t.timeline,
      firstSegment: t.firstSegment ?? null,
    })),
    walFirst: plan.walFirst,
    walLast: plan.walLast,
    walSegments: plan.walSegments,
    estimatedBytes: plan.estimatedBytes,
    fetchBytes: plan.fetchBytes,
    earliestRecoverable: plan.earliestRecoverable.toISOString(),
    damagedSkipped: plan.damagedSkipped.map((b) => b.name),
    brokenChains: plan.brokenChains,
    archiveEnd: plan.archiveEnd
      ? { segment: plan.archiveEnd.name, archivedAt: plan.archiveEnd.archivedAt.toISOString() }
      : null,
  });
  // A newer backup passed over because it is damaged is said every time, never silently.
  const damagedNote = plan.damagedSkipped.length
    ? `; newer backup(s) passed over because they are damaged: ${plan.damagedSkipped.map(damagedBackupMessage).join("; ")}`
    : "";
  for (const b of plan.damagedSkipped)
    log.warn("damaged backup passed over", { backup: b.name, damage: damagedBackupMessage(b) });
  for (const problem of plan.brokenChains) log.warn("backup passed over", { problem });
  const chainNote =
    plan.chain.length > 1
      ? `, reading ${plan.chain.map((b) => `${b.name} (${b.kind})`).join(" + ")}`
      : "";
  const steps = [
    running
      ? `stop PostgreSQL ('${showArgv(pg.service.stop)}')`
      : "leave PostgreSQL stopped (it is not running)",
    request.delta
      ? `keep ${pg.pgData} in place for a delta restore (faster: only files that differ from the backup are rewritten; riskier: the current state is not kept)`
      : `move ${pg.pgData} aside to ${aside} and create an empty ${pg.pgData} owned by ${pg.engine.osUser}`,
    `restore backup ${plan.backup.name} (${plan.backup.kind}, stopped ${plan.backup.stoppedAt.toISOString()}${chainNote}) from ${where} with ${engine.descriptor.title}: about ${formatBytes(plan.estimatedBytes)} (${formatBytes(plan.backup.databaseBytes)} of data, ${plan.walSegments} WAL segment(s) ${plan.walFirst}..${plan.walLast} to replay; ${formatBytes(plan.fetchBytes)} read from the repository)`,
    `write recovery.signal and the recovery settings into postgresql.auto.conf: target ${describeTarget(request.target, request.backupName)} along timeline ${plan.timeline} (recovery_target_timeline; ${plan.timelineReason}; history ${plan.history.join(" -> ")}${plan.notFollowed.length > 0 ? `; not followed: ${plan.notFollowed.map((t) => `timeline ${t.timeline}${t.firstSegment ? ` from ${t.firstSegment}` : ""}`).join(", ")}` : ""}), then promote${clone ? "; archive_mode off (a clone must not archive into any repository until it has its own)" : ""}`,
    `start PostgreSQL ('${showArgv(pg.service.start)}'), log replay progress every 5 s, wait until it is promoted`,
  ];
  if (!request.confirmed) {
    steps.forEach((text, i) => log.info(`DRY RUN step ${i + 1}: would ${text}`));
    return {
      summary: `pg-restore DRY RUN: would restore ${plan.backup.name}${chainNote} from ${where} to ${describeTarget(request.target, request.backupName)} along timeline ${plan.timeline}, replaying WAL ${plan.walFirst}..${plan.walLast} (${plan.walSegments} segment(s)), about ${formatBytes(plan.estimatedBytes)}; recoverable until ${plan.archiveEnd ? `${plan.archiveEnd.archivedAt.toISOString()} (segment ${plan.archiveEnd.name})` : "the backup's end"}${damagedNote}; nothing was changed. Set CONFIRM=yes-restore to restore.`,
    };
  }

  const started = monotonicNow();
  let step = 0;
  const next = (fields?: Record<string, unknown>) =>
    log.info(`step ${++step}: ${steps[step - 1]}`, fields);
  const goBack = request.delta
    ? "the delta restore rewrote the data directory in place; restore again (another target or backup)"
    : `the previous data directory is at ${aside}: to go back, stop PostgreSQL, move ${pg.pgData} away and ${aside} back to ${pg.pgData}, start`;
  next();
  await stopPostgres(pg, log);
  next();
  if (!request.delta) {
    const owner = account(pg.engine.osUser);
    if (existsSync(pg.pgData)) await rename(pg.pgData, aside);
    await mkdir(pg.pgData, { mode: 0o700 });
    await chown(pg.pgData, owner.uid, owner.gid);
  }
  next();
  try {
    await engine.restore({
      source,
      backup: plan.backup.name,
      target: request.target,
      timeline: plan.timeline,
      pgData: pg.pgData,
      delta: request.delta,
      archiveOff: clone,
      archiveEnd: plan.walLast,
    });
  } catch (error) {
    throw new JobError(`${(error as Error).message}`, `PostgreSQL is stopped; ${goBack}`);
  }
  next();
  next();
  try {
    await startService("PostgreSQL", pg.service, log, request.timeoutMs);
  } catch (error) {
    // A start command that gives up waiting while recovery still runs is not a failure.
    if (!(await isRunning(pg.service)))
      log.warn("the start command failed", { error: (error as Error).message });
  }
  const result = await waitForPromotion({
    connect: () => connectPostgres(config),
    service: pg.service,
    pgData: pg.pgData,
    log,
    timeoutMs: request.timeoutMs,
    stallMs: request.stallMs,
    failureHint: `read PostgreSQL's log ('recovery ended before configured recovery target was reached': a WAL segment is missing; 'could not restore file': the repository could not be read); ${goBack}`,
    stallHint: `PostgreSQL is still running and recovering: it resumes by itself once a repository gives the file, and promotes at its target; read PostgreSQL's log for the restore_command's errors; to give up instead, stop PostgreSQL; ${goBack}`,
  });
  const seconds = Math.round(secondsSince(started));
  const short =
    request.target.kind === "latest"
      ? replayShortfall(plan.walLast, result.lastReplayedSegment)
      : undefined;
  if (short !== undefined)
    throw new JobError(
      `the restore of ${plan.backup.name} to latest is incomplete: ${short}; it was promoted on timeline ${result.timeline}, last replayed commit ${result.lastReplayedAt?.toISOString() ?? "none"}`,
      `the restored cluster misses every commit after that point: do not use it as production; restore again once every repository answers; ${goBack}`,
    );
  const counts = await checkTableRowCounts(config).catch(() => undefined);
  log.info("restored", {
    backup: plan.backup.name,
    timeline: result.timeline,
    lastReplayedAt: result.lastReplayedAt?.toISOString() ?? null,
    lastReplayedLsn: result.lastReplayedLsn,
    seconds,
    rowCounts: counts ?? null,
    ...(request.delta ? {} : { previousDataDirectory: aside }),
  });
  return {
    summary: `pg-restore: restored ${plan.backup.name} from ${where} to ${describeTarget(request.target, request.backupName)} in ${describeSeconds(seconds)}; promoted on timeline ${result.timeline}, last replayed commit ${result.lastReplayedAt?.toISOString() ?? "none (nothing replayed after the backup)"}${request.delta ? "" : `; previous data directory kept at ${aside}`}${clone ? "; archive_mode is off (a clone)" : ""}`,
  };
}

const USAGE: JobUsage = {
  summary:
    "Restores PostgreSQL through the stack's engine to the latest state, a named backup or a point in time.\n" +
    "A dry run unless CONFIRM=yes-restore: it checks the target and prints every step, the backup, the WAL\n" +
    "range and the bytes; confirmed, it stops PostgreSQL, moves the data directory aside, restores and waits\n" +
    "until the cluster is promoted.",
  parameters: parameterUsage(PARAMETERS),
};

exitWith("pg-restore", USAGE, () => runJob("pg-restore", restore));
