/**
 * Every job runs through `runJob`: it loads the host config, takes the job's lock, logs start and
 * end, times the run, and always publishes the run metrics (JobSucceeded, JobFailed,
 * JobDurationSeconds, JobHeartbeat) plus whatever row metrics the job recorded, on failure too
 * (host steps such as apply-config excepted: see HOST_STEP_KEYS). A run that finds its lock held
 * by a live run is skipped instead: JobSkippedBusy only, exit 75 (see `skippedBusy`). A run whose
 * parameters or request are refused (a `UsageError`) did nothing and is not a run: no metric, no
 * run record, exit 64 (see `refused`).
 * A failure ends with one line on stderr that says what broke and what to look at.
 */
import { configAt, type RestoreSource } from "./restoreSource";
import {
  describeSeconds,
  Metric,
  runDeadlineSeconds,
  type JobKey,
  type RestoreKey,
} from "../../../infra/catalog";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { parseCommandLine } from "../../cli/commandLine";
import { EXIT, JobError, UsageError, errorMessage } from "./errors";
import { killRunningCommands } from "./exec";
import { hostIdOf, loadHostConfig } from "./hostConfig";
import { jobCommand, type JobUsage } from "./jobCommand";
import { acquireLock, LockBusyError, type HeldLock } from "./lock";
import { createLogger, type Logger } from "./log";
import { MetricsRecorder, publishMetrics } from "./metrics";
import { Params } from "./params";
import { writeRunRecord } from "./runRecords";
import { BackupStore } from "../storage/s3";
import { monotonicNow, secondsSince } from "./time";

/**
 * Steps the install document runs after installing the artifacts, outside the catalog's jobs: they
 * have no schedule, so a heartbeat would mean nothing and no alarm watches them; a failure fails
 * the install command itself (SSM command status, State Manager association status). They log
 * and lock like jobs but publish no metrics (so an install never depends on CloudWatch) and write
 * no run record (the health check ages only the catalog's jobs).
 */
export const HOST_STEP_KEYS = ["apply-config", "pg-engine-setup"] as const;
export type HostStepKey = (typeof HOST_STEP_KEYS)[number];

export type RunnableJob = JobKey | RestoreKey | HostStepKey;

export function isHostStep(job: RunnableJob): job is HostStepKey {
  return (HOST_STEP_KEYS as readonly string[]).includes(job);
}

export interface JobContext {
  readonly job: RunnableJob;
  readonly config: HostConfig;
  readonly configPath: string;
  readonly hostId: string;
  readonly env: NodeJS.ProcessEnv;
  readonly params: Params;
  readonly log: Logger;
  readonly metrics: MetricsRecorder;
  /** Created on first use, closed by the runner. */
  readonly store: () => BackupStore;
  /** The bucket a restore reads (`SOURCE`): `store()` for the primary; created on first use, closed by the runner. */
  readonly storeAt: (source: RestoreSource) => BackupStore;
  readonly startedAt: Date;
  /** Seconds since the run started, on the monotonic clock (`monotonicNow`): for durations. */
  readonly elapsedSeconds: () => number;
}

/** What a job body may return: health-check reports warning/critical through its exit code. */
export interface JobOutcome {
  readonly exitCode?: number;
  /** One line for the person reading the SSM output. */
  readonly summary?: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Seconds the body may work before the run stops itself and fails (default: the catalog's
   * `runDeadlineSeconds`, a little under the SSM document's timeout; host steps have none).
   */
  readonly deadlineSeconds?: number;
  readonly writeStdout?: (line: string) => void;
  readonly writeStderr?: (line: string) => void;
}

function onCallLine(job: string, host: string, seconds: number, error: unknown): string {
  const hint = error instanceof JobError && error.hint ? ` Next: ${error.hint}.` : "";
  return `${job} FAILED on ${host} after ${seconds.toFixed(1)} s: ${errorMessage(error)}.${hint}`;
}

/**
 * `work`, or a `JobError` once `deadlineSeconds` have passed: SSM kills a job at its document's
 * timeout without a word from it, so the run stops a little before, kills the commands it started
 * and fails naming its limit; the runner then publishes the failure, the run record and the
 * on-call line as for any failure. The body's promise is left behind: the process exits after.
 */
async function withinDeadline<T>(
  work: Promise<T>,
  deadlineSeconds: number | undefined,
  ctx: JobContext,
): Promise<T> {
  if (deadlineSeconds === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const killed = killRunningCommands();
      ctx.log.error("out of time: stopping before the SSM document's timeout", {
        deadlineSeconds,
        killedCommands: killed,
      });
      reject(
        new JobError(
          `stopped itself after ${describeSeconds(deadlineSeconds)}, just under the limit its SSM document gives ${ctx.job}, while still working (the log's last lines say on what; ${killed} command(s) it had started were killed)`,
          "a run this long needs its own limits lowered (the job's --help lists them) or the document's timeout raised in infra/catalog; run it again by hand to see how far it gets",
        ),
      );
    }, deadlineSeconds * 1000);
  });
  try {
    return await Promise.race([work, outOfTime]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The outcome of a run that found its lock held by a live run: nothing done, JobSkippedBusy 1 and
 * no run metric (no JobFailed to page on, no heartbeat to hide a stuck run), exit `EXIT.busy`.
 */
async function skippedBusy(
  ctx: JobContext,
  busy: LockBusyError,
  writeStdout: (line: string) => void,
): Promise<number> {
  const { job, config, hostId, env, log, metrics } = ctx;
  log.warn("skipped: another run holds the lock", { lock: busy.path, holder: busy.holder });
  metrics.jobMetric(Metric.jobSkippedBusy, 1);
  if (!isHostStep(job)) {
    await publishMetrics(config, metrics.all(), env).catch((error: unknown) =>
      log.error("metrics not published", { error: errorMessage(error) }),
    );
  }
  writeStdout(
    `${job} SKIPPED on ${hostId}: ${busy.message}. Not a failure (exit ${EXIT.busy}); if it repeats, ${busy.hint}.`,
  );
  return EXIT.busy;
}

/**
 * The outcome of a run that refused its parameters or request (a `UsageError`: bad or missing
 * parameters, a restore target that does not exist, ...). Nothing was touched, so it is not a
 * run: no run metric (no JobFailed for a typo in a hand run to page on and keep the job-failed
 * alarm in ALARM until the next good run, no JobHeartbeat to hide a silent job), no row metric,
 * no CloudWatch call at all, and no run record (the health check's JobLastRunAgeSeconds keeps
 * aging the job's last real run). One line on stderr says what to fix; exit `EXIT.usage` (64).
 */
function refused(
  ctx: JobContext,
  error: UsageError,
  seconds: number,
  writeStderr: (line: string) => void,
): number {
  const { job, hostId, log } = ctx;
  log.error("refused: nothing done", {
    seconds,
    error: errorMessage(error),
    ...(error.hint ? { hint: error.hint } : {}),
  });
  const hint = error.hint ? ` Next: ${error.hint}.` : "";
  writeStderr(
    `${job} REFUSED on ${hostId}: ${errorMessage(error)}.${hint} Not a run (exit ${EXIT.usage}): no metrics, no run record.`,
  );
  return EXIT.usage;
}

/** Runs `body` as job `job`; resolves with the process exit code (it never throws). */
export async function runJob(
  job: RunnableJob,
  body: (ctx: JobContext) => Promise<JobOutcome | void>,
  options: RunOptions = {},
): Promise<number> {
  const env = options.env ?? process.env;
  const writeStdout = options.writeStdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const writeStderr = options.writeStderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = createLogger(job, writeStdout);
  const startedAt = new Date();
  // Durations (JobDurationSeconds, the on-call line) on the monotonic clock: a wall-clock step
  // during the run would make them negative or years long.
  const started = monotonicNow();
  const elapsed = () => secondsSince(started);

  let config: HostConfig;
  let configPath: string;
  let hostId: string;
  try {
    ({ config, path: configPath } = loadHostConfig(env));
    hostId = hostIdOf(config);
  } catch (error) {
    // Without the config there is no namespace or endpoint to publish to: the missing
    // JobHeartbeat is what raises the alarm.
    log.error("cannot start: host config unusable", { error });
    writeStderr(
      isHostStep(job)
        ? onCallLine(job, "this host", elapsed(), error)
        : `${onCallLine(job, "this host", elapsed(), error)} No metrics were published; the JobHeartbeat alarm will fire.`,
    );
    return EXIT.usage;
  }

  const metrics = new MetricsRecorder(job, hostId);
  let store: BackupStore | undefined;
  let replicaStore: BackupStore | undefined;
  const primaryStore = () => (store ??= new BackupStore(config, env));
  const ctx: JobContext = {
    job,
    config,
    configPath,
    hostId,
    env,
    params: new Params(env),
    log,
    metrics,
    store: primaryStore,
    storeAt: (source) =>
      source === "primary"
        ? primaryStore()
        : (replicaStore ??= new BackupStore(configAt(config, source), env)),
    startedAt,
    elapsedSeconds: elapsed,
  };

  let lock: HeldLock | undefined;
  let outcome: JobOutcome | void = undefined;
  let failure: unknown;
  log.info("started", { host: hostId, config: configPath, pid: process.pid });
  try {
    lock = await acquireLock(config.paths.lockDir, job);
  } catch (error) {
    if (error instanceof LockBusyError) return skippedBusy(ctx, error, writeStdout);
    failure = error;
  }
  if (lock) {
    try {
      if (lock.replacedStale)
        log.warn("took over a lock left by a run that died", {
          lock: lock.path,
          deadRun: lock.replacedStale,
        });
      const deadlineSeconds =
        options.deadlineSeconds ?? (isHostStep(job) ? undefined : runDeadlineSeconds(job));
      outcome = await withinDeadline(body(ctx), deadlineSeconds, ctx);
    } catch (error) {
      failure = error;
    }
  }

  const closeResources = async () => {
    store?.destroy();
    replicaStore?.destroy();
    await lock
      ?.release()
      .catch((error: unknown) => log.warn("could not remove the lock file", { error }));
  };
  const seconds = elapsed();
  if (failure instanceof UsageError) {
    await closeResources();
    return refused(ctx, failure, seconds, writeStderr);
  }
  const succeeded = failure === undefined;
  const reportsRuns = !isHostStep(job);
  if (lock && reportsRuns) {
    // Only runs that held the lock count as runs: a stuck run must not look fresh through the
    // busy attempts behind it.
    const record = {
      job,
      finishedAt: new Date().toISOString(),
      exitCode: succeeded ? (outcome?.exitCode ?? EXIT.ok) : EXIT.failed,
      succeeded,
    };
    await writeRunRecord(config.paths.stateDir, record).catch((error: unknown) =>
      log.warn("could not record the run for the health check", { error }),
    );
  }
  metrics.jobMetric(Metric.jobSucceeded, succeeded ? 1 : 0);
  metrics.jobMetric(Metric.jobFailed, succeeded ? 0 : 1);
  metrics.jobMetric(Metric.jobDurationSeconds, Math.round(seconds * 1000) / 1000);
  metrics.jobMetric(Metric.jobHeartbeat, 1);
  let publishError: unknown;
  try {
    if (reportsRuns) await publishMetrics(config, metrics.all(), env);
  } catch (error) {
    publishError = error;
  }
  await closeResources();

  if (!succeeded) {
    log.error("failed", {
      seconds,
      error: errorMessage(failure),
      ...(failure instanceof JobError && failure.hint ? { hint: failure.hint } : {}),
      ...(failure instanceof JobError ? {} : { stack: (failure as Error)?.stack }),
    });
    if (publishError) log.error("metrics not published", { error: errorMessage(publishError) });
    writeStderr(onCallLine(job, hostId, seconds, failure));
    return EXIT.failed;
  }
  if (publishError) {
    log.error("metrics not published", { error: errorMessage(publishError) });
    writeStderr(
      `${job} did its work on ${hostId} but could not publish its metrics: ${errorMessage(publishError)}. The JobHeartbeat alarm will fire; check CloudWatch access from this host.`,
    );
    return EXIT.failed;
  }
  const exitCode = outcome?.exitCode ?? EXIT.ok;
  log.info("finished", {
    seconds,
    exitCode,
    ...(outcome?.summary ? { summary: outcome.summary } : {}),
  });
  if (outcome?.summary) (exitCode === EXIT.ok ? writeStdout : writeStderr)(outcome.summary);
  return exitCode;
}

/**
 * The last line of every job entry file: answer `--help` (or refuse any other argument, exit 64)
 * from `usage`, else run `main` and exit with its code once output is flushed.
 */
export function exitWith(job: RunnableJob, usage: JobUsage, main: () => Promise<number>): void {
  parseCommandLine(jobCommand(job, usage));
  // The SDK's multi-line "upgrade Node.js" notice would bury the one-line failure message on
  // stderr; the install document checks the Node.js version instead.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  main().then(
    (code) => {
      process.exitCode = code;
      // Open sockets (SDK keep-alive, database clients) must not keep a finished job alive.
      setImmediate(() => process.exit(code));
    },
    (error: unknown) => {
      process.stderr.write(`unexpected error outside the job runner: ${errorMessage(error)}\n`);
      process.exit(EXIT.failed);
    },
  );
}
