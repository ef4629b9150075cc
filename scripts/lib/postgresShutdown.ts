/**
 * Stopping PostgreSQL before its data directory is replaced, when WAL archiving may be failing.
 *
 * A fast shutdown waits for the archiver's last round: after the shutdown checkpoint the postmaster
 * lets the archiver try the oldest WAL segment still marked `.ready` up to 3 times
 * (`NUM_ARCHIVE_RETRIES`, PostgreSQL 15 `pgarch.c`) before it exits, and an archive_command that
 * cannot reach S3 takes the engine's own limit per try (pgBackRest's `archive-timeout`, 60 s by
 * default). The service's stop command gives up sooner: `pg_ctl stop -w` waits 60 s (`PGCTLTIMEOUT`),
 * and Debian's `pg_ctlcluster`, which `systemctl stop postgresql@15-main` runs, uses that default;
 * both exit 1 ("server does not shut down") while the postmaster goes on stopping. A restore during
 * an S3 outage is exactly when segments are waiting, so the stop command's failure is not the
 * answer: the postmaster's own PID (first line of `postmaster.pid`, removed when it exits) is.
 */
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { PostgresHostConfig } from "../../infra/catalog/hostConfig";
import { JobError } from "./errors";
import { runCommand, showArgv } from "./exec";
import type { Logger } from "./log";
import { isRunning } from "./service";
import { secondsSince, waitFor } from "./time";

/** How long a stop may take in all; milliseconds. 3 tries of a 60 s archive_command and margin. */
export const POSTGRES_STOP_LIMIT_MS = 10 * 60_000;
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
 * Stops PostgreSQL with the host config's stop command and returns once the postmaster has exited
 * and the service says stopped, logging progress every 15 s (the segments still waiting for
 * archive_command). A stop command that fails or gives up while the postmaster is still stopping is
 * logged, not thrown. Throws `JobError` when the postmaster still runs after `limitMs`
 * (default `POSTGRES_STOP_LIMIT_MS`), with the immediate stop to run by hand.
 */
export async function stopPostgres(
  pg: PostgresHostConfig,
  log: Logger,
  limitMs: number = POSTGRES_STOP_LIMIT_MS,
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
  const stop = await runCommand(service.stop, { timeoutMs: limitMs }).catch((error: Error) => ({
    code: -1,
    stdout: "",
    stderr: error.message,
  }));
  if (stop.code !== 0)
    log.warn(
      "the stop command gave up before PostgreSQL stopped; waiting for the postmaster itself (a fast shutdown first lets the archiver try the waiting WAL, up to 3 times)",
      { exitCode: stop.code, output: `${stop.stderr}${stop.stdout}`.trim().slice(-500) },
    );
  let lastReport = Date.now();
  await waitFor(
    async () => {
      const pid = await livePostmasterPid(pgData);
      if (pid === undefined && !(await isRunning(service))) return true;
      if (Date.now() - lastReport >= PROGRESS_EVERY_MS) {
        lastReport = Date.now();
        log.info("PostgreSQL is still stopping", {
          postmasterPid: pid,
          seconds: Math.round(secondsSince(started)),
          walSegmentsAwaitingArchive: await segmentsAwaitingArchive(pgData),
        });
      }
      return undefined;
    },
    {
      timeoutMs: Math.max(0, limitMs - (performance.now() - started)),
      intervalMs: 200,
      onTimeout: () =>
        new JobError(
          `PostgreSQL still runs ${Math.round(limitMs / 1000)} s after '${showArgv(service.stop)}' (postmaster.pid in ${pgData} names a live process)`,
          `read its log: an archiver stuck on an unreachable repository holds a fast shutdown; stop it at once as its OS user with 'pg_ctl -D ${pgData} stop -m immediate' (crash-safe; the restore then sets this data directory aside, nothing is lost) and run the restore again`,
        ),
    },
  );
  log.info("PostgreSQL stopped", { seconds: Math.round(secondsSince(started) * 10) / 10 });
}
