/**
 * Stopping PostgreSQL before its data directory is replaced, when WAL archiving may be failing.
 *
 * A fast shutdown waits for the archiver's last round: after the shutdown checkpoint the postmaster
 * lets the archiver try the oldest WAL segment still marked `.ready` up to 3 times
 * (`NUM_ARCHIVE_RETRIES`, PostgreSQL 15 `pgarch.c`) before it exits, after finishing a round already
 * under way (3 tries more), and an archive_command that cannot reach S3 takes the engine's own limit
 * per try (60 s for the default engine's asynchronous archiving): up to 6 minutes. The service's stop command gives up sooner: `pg_ctl stop -w` waits 60 s (`PGCTLTIMEOUT`),
 * and Debian's `pg_ctlcluster`, which `systemctl stop postgresql@15-main` runs, uses that default;
 * both exit 1 ("server does not shut down") while the postmaster goes on stopping. A restore during
 * an S3 outage is exactly when segments are waiting, so the stop command's failure is not the
 * answer: the postmaster's own PID (first line of `postmaster.pid`, removed when it exits) is; and
 * at 3 AM six minutes of an archiver that cannot succeed is not worth waiting out.
 */
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { PostgresHostConfig } from "../../../infra/catalog/hostConfig";
import { JobError } from "../job/errors";
import { runCommand, showArgv } from "../job/exec";
import type { Logger } from "../job/log";
import { isRunning } from "../job/service";
import { secondsSince, waitFor } from "../job/time";

/**
 * How long the fast shutdown may take before the immediate one; milliseconds. A healthy one takes
 * seconds; 2 min lets a slow repository take the last segments, an unreachable one is not waited out.
 */
export const POSTGRES_FAST_STOP_MS = 120_000;
/** How long the postmaster may take to exit after SIGQUIT; milliseconds. */
const IMMEDIATE_STOP_MS = 60_000;
/** How often a stop still under way is logged; milliseconds. */
const PROGRESS_EVERY_MS = 15_000;

/** The postmaster's PID while it runs (`postmaster.pid` names a live process); undefined once it exited. */
export async function livePostmasterPid(pgData: string): Promise<number | undefined> {
  const text = await readFile(join(pgData, "postmaster.pid"), "utf8").catch(() => undefined);
  const pid = Number(text?.split("\n", 1)[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive, another user's (not when run as root, as jobs are).
    return (error as NodeJS.ErrnoException).code === "EPERM" ? pid : undefined;
  }
}

/** How many WAL segments wait for archive_command (`pg_wal/archive_status/*.ready`). */
export async function segmentsAwaitingArchive(pgData: string): Promise<number> {
  const names = await readdir(join(pgData, "pg_wal", "archive_status")).catch(() => []);
  return names.filter((name) => name.endsWith(".ready")).length;
}

/**
 * Waits until the postmaster has exited and the service says stopped, logging progress every 15 s
 * (the segments still waiting for archive_command); false when `timeoutMs` passed first.
 */
async function stoppedWithin(
  pg: PostgresHostConfig,
  log: Logger,
  started: number,
  timeoutMs: number,
): Promise<boolean> {
  const { service, pgData } = pg;
  let lastReport = performance.now();
  return waitFor(
    async () => {
      const pid = await livePostmasterPid(pgData);
      if (pid === undefined && !(await isRunning(service))) return true;
      if (performance.now() - lastReport >= PROGRESS_EVERY_MS) {
        lastReport = performance.now();
        log.info("PostgreSQL is still stopping", {
          postmasterPid: pid,
          seconds: Math.round(secondsSince(started)),
          walSegmentsAwaitingArchive: await segmentsAwaitingArchive(pgData),
        });
      }
      return undefined;
    },
    { timeoutMs, intervalMs: 200, onTimeout: () => new StillRunning() },
  ).catch((error: unknown) => {
    if (error instanceof StillRunning) return false;
    throw error;
  });
}

class StillRunning extends Error {}

/**
 * Stops PostgreSQL before its data directory is set aside or rewritten, and returns once the
 * postmaster has exited and the service says stopped. First the host config's stop command (a fast
 * shutdown, which archives what it can); a stop command that fails or gives up while the postmaster
 * is still stopping is logged, not thrown. When the postmaster still runs `fastStopMs` after it
 * (default `POSTGRES_FAST_STOP_MS`: an archiver retrying a repository it cannot reach, up to 6 tries
 * of 60 s across its last two rounds), the immediate way: SIGQUIT to the postmaster, as `pg_ctl stop
 * -m immediate` does (PostgreSQL docs, "Shutting Down the Server"): crash-safe, and nothing is lost
 * with the data directory kept aside (its pg_wal holds what was not archived). Throws `JobError`
 * when it still runs `IMMEDIATE_STOP_MS` after that.
 */
export async function stopPostgres(
  pg: PostgresHostConfig,
  log: Logger,
  fastStopMs: number = POSTGRES_FAST_STOP_MS,
): Promise<void> {
  const { service, pgData } = pg;
  if (!(await isRunning(service)) && (await livePostmasterPid(pgData)) === undefined) {
    log.info("PostgreSQL is already stopped", { status: showArgv(service.status) });
    return;
  }
  const started = performance.now();
  log.info("stopping PostgreSQL", {
    command: showArgv(service.stop),
    walSegmentsAwaitingArchive: await segmentsAwaitingArchive(pgData),
  });
  const stop = await runCommand(service.stop, { timeoutMs: fastStopMs }).catch((error: Error) => ({
    code: -1,
    stdout: "",
    stderr: error.message,
  }));
  if (stop.code !== 0)
    log.warn(
      "the stop command gave up before PostgreSQL stopped; waiting for the postmaster itself (a fast shutdown first lets the archiver try the waiting WAL, up to 3 times)",
      { exitCode: stop.code, output: `${stop.stderr}${stop.stdout}`.trim().slice(-500) },
    );
  const fastLeft = Math.max(0, fastStopMs - (performance.now() - started));
  if (await stoppedWithin(pg, log, started, fastLeft)) {
    log.info("PostgreSQL stopped", { seconds: Math.round(secondsSince(started) * 10) / 10 });
    return;
  }
  const pid = await livePostmasterPid(pgData);
  log.warn(
    `PostgreSQL still runs ${Math.round(fastStopMs / 1000)} s after its stop command: stopping it the immediate way (SIGQUIT to the postmaster; crash-safe, and the restore keeps or rewrites this data directory)`,
    { postmasterPid: pid, walSegmentsAwaitingArchive: await segmentsAwaitingArchive(pgData) },
  );
  if (pid !== undefined) process.kill(pid, "SIGQUIT");
  if (await stoppedWithin(pg, log, started, IMMEDIATE_STOP_MS)) {
    log.info("PostgreSQL stopped", { seconds: Math.round(secondsSince(started) * 10) / 10 });
    return;
  }
  throw new JobError(
    `PostgreSQL still runs ${Math.round(IMMEDIATE_STOP_MS / 1000)} s after SIGQUIT to its postmaster (postmaster.pid in ${pgData} names a live process, or '${showArgv(service.status)}' says running)`,
    `read its log and the service manager's status; stop it by hand ('pg_ctl -D ${pgData} stop -m immediate' as its OS user) and run the restore again`,
  );
}
