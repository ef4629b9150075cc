/**
 * What apply-config shares between PostgreSQL and Redis: reading the installed fragment, the
 * report of what applying it did, and the one restart it may take, which never cuts through a
 * backup or restore of that service.
 */
import { promises as fs } from "node:fs";
import type { ServiceControl } from "../../../infra/catalog/hostConfig";
import type { JobKey, RestoreKey } from "../../../infra/catalog";
import { JobError } from "../../lib/job/errors";
import { runChecked, showArgv } from "../../lib/job/exec";
import { acquireLock, LockBusyError, type HeldLock } from "../../lib/job/lock";
import type { Logger } from "../../lib/job/log";
import { isRunning } from "../../lib/job/service";
import { waitFor } from "../../lib/job/time";

export interface ApplyReport {
  readonly service: "PostgreSQL" | "Redis";
  /** `not-running`: nothing was touched; the service reads the fragment when it starts. */
  readonly outcome: "not-running" | "unchanged" | "applied" | "restarted";
  /** Settings that now have a new live value without a restart. */
  readonly appliedLive: readonly string[];
  /** Settings that only a restart could apply (empty unless `outcome` is `restarted`). */
  readonly restartedFor: readonly string[];
}

/** The report once the live values are verified; logs when there was nothing to do. */
export function appliedReport(
  service: ApplyReport["service"],
  log: Logger,
  appliedLive: readonly string[],
  restartedFor: readonly string[],
): ApplyReport {
  if (appliedLive.length === 0 && restartedFor.length === 0) {
    log.info(`${service} already runs the managed settings: nothing changed, no restart`);
  }
  const outcome =
    restartedFor.length > 0 ? "restarted" : appliedLive.length > 0 ? "applied" : "unchanged";
  return { service, outcome, appliedLive, restartedFor };
}

export function describeReport(report: ApplyReport): string {
  switch (report.outcome) {
    case "not-running":
      return `${report.service} not running (applies at start)`;
    case "unchanged":
      return `${report.service} unchanged`;
    case "applied":
      return `${report.service} applied live: ${report.appliedLive.join(", ")}`;
    case "restarted": {
      const live =
        report.appliedLive.length > 0 ? `, applied live: ${report.appliedLive.join(", ")}` : "";
      return `${report.service} restarted for ${report.restartedFor.join(", ")}${live}`;
    }
    default: {
      const unreachable: never = report.outcome;
      return unreachable;
    }
  }
}

/** The installed fragment's text; the install document puts it there before apply-config runs. */
export async function readFragment(path: string, service: string): Promise<string> {
  try {
    return await fs.readFile(path, "utf8");
  } catch (error) {
    throw new JobError(
      `the managed ${service} fragment ${path} is not installed (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      "run the stack's install document, which installs it before applying it",
    );
  }
}

/** Each setting with its running and configured value, for the log line that explains a restart. */
export function settingChanges<V>(
  names: readonly string[],
  running: { get(name: string): V | undefined },
  configured: { get(name: string): V | undefined },
): { name: string; running: V | undefined; configured: V | undefined }[] {
  return names.map((name) => ({
    name,
    running: running.get(name),
    configured: configured.get(name),
  }));
}

export interface RestartGuard {
  readonly lockDir: string;
  /** Jobs a restart would break mid-run: their locks are held for the restart. */
  readonly jobs: readonly (JobKey | RestoreKey)[];
}

/** How to tell one run of a server from the next, and to talk to it again after a restart. */
export interface RestartProbe<C> {
  /** Closes the connection opened before the restart (the restart would break it anyway). */
  readonly close: () => Promise<void>;
  /** Connects to the restarted server (waiting for it to accept connections where needed). */
  readonly connect: () => Promise<C>;
  /** What changes on every start: PostgreSQL's postmaster start time, Redis's run_id. */
  readonly identity: (client: C) => Promise<string>;
  /** Log field stem (`started` → startedBefore / startedNow) and the words for an unchanged one. */
  readonly field: string;
  readonly unchanged: (identity: string) => string;
  /** Host config key of the service commands, named when the restart command did not restart. */
  readonly serviceKey: "postgres.service" | "redis.service";
}

/**
 * The one restart apply-config may take: close the connection, `guardedRestart`, connect again, and
 * prove the server really restarted (its identity changed) before anything is read from it.
 * Resolves with the new connection; throws `JobError` naming the service command otherwise.
 */
export async function restartAndReconnect<C>(
  name: ApplyReport["service"],
  service: ServiceControl,
  guard: RestartGuard,
  settings: readonly string[],
  probe: RestartProbe<C>,
  before: string,
  log: Logger,
): Promise<C> {
  await probe.close().catch(() => undefined);
  await guardedRestart(name, service, guard, settings, log);
  const client = await probe.connect();
  const now = await probe.identity(client);
  if (now === before) {
    throw new JobError(
      `'${service.restart.join(" ")}' returned, but ${probe.unchanged(before)}`,
      `the service command did not restart ${name}; check host config ${probe.serviceKey}`,
    );
  }
  log.info(`${name} restarted`, { [`${probe.field}Before`]: before, [`${probe.field}Now`]: now });
  return client;
}

/**
 * Restarts `service` while holding the locks of the jobs a restart would break, so none of them
 * is running and none can start until the service is back. If one is running, nothing is
 * restarted and the run fails: the next install (State Manager re-applies it) tries again.
 */
export async function guardedRestart(
  name: string,
  service: ServiceControl,
  guard: RestartGuard,
  settings: readonly string[],
  log: Logger,
  timeoutMs = 180_000,
): Promise<void> {
  const held: HeldLock[] = [];
  try {
    for (const job of guard.jobs) {
      try {
        held.push(await acquireLock(guard.lockDir, job));
      } catch (error) {
        if (!(error instanceof LockBusyError)) throw error;
        throw new JobError(
          `${name} needs a restart for ${settings.join(", ")}, but ${job} is running (pid ${error.holder.pid}, since ${error.holder.startedAt}); not restarting under it`,
          `run the install document again once ${job} has finished; until then ${name} runs with its previous values of those settings`,
        );
      }
    }
    log.warn(`restarting ${name}`, { because: settings, command: showArgv(service.restart) });
    await runChecked(service.restart, { timeoutMs });
    await waitFor(async () => ((await isRunning(service)) ? true : undefined), {
      timeoutMs,
      intervalMs: 200,
      onTimeout: () =>
        new JobError(
          `${name} is not up ${Math.round(timeoutMs / 1000)} s after '${showArgv(service.restart)}'`,
          `read its log; it was restarted to apply ${settings.join(", ")}`,
        ),
    });
  } finally {
    for (const lock of held.reverse()) await lock.release().catch(() => undefined);
  }
}
