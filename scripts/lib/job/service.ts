/**
 * Starting and stopping PostgreSQL and Redis through the host config's service control (systemctl
 * on a host, pg_ctl / redis-server in the sandbox), waiting until the change has really happened.
 */
import type { ServiceControl } from "../../../infra/catalog/hostConfig";
import { JobError } from "./errors";
import { runChecked, runCommand, showArgv } from "./exec";
import type { Logger } from "./log";
import { waitFor } from "./time";

export async function isRunning(service: ServiceControl): Promise<boolean> {
  const result = await runCommand(service.status, { timeoutMs: 30_000 });
  return result.code === 0;
}

export async function stopService(
  name: string,
  service: ServiceControl,
  log: Logger,
  timeoutMs = 120_000,
): Promise<void> {
  if (!(await isRunning(service))) {
    log.info(`${name} is already stopped`, { status: showArgv(service.status) });
    return;
  }
  log.info(`stopping ${name}`, { command: showArgv(service.stop) });
  await runChecked(service.stop, { timeoutMs });
  await waitFor(async () => ((await isRunning(service)) ? undefined : true), {
    timeoutMs,
    intervalMs: 200,
    onTimeout: () =>
      new JobError(
        `${name} still answers ${Math.round(timeoutMs / 1000)} s after '${showArgv(service.stop)}'`,
      ),
  });
}

export async function startService(
  name: string,
  service: ServiceControl,
  log: Logger,
  timeoutMs = 120_000,
): Promise<void> {
  log.info(`starting ${name}`, { command: showArgv(service.start) });
  await runChecked(service.start, { timeoutMs });
  await waitFor(async () => ((await isRunning(service)) ? true : undefined), {
    timeoutMs,
    intervalMs: 200,
    onTimeout: () =>
      new JobError(
        `${name} did not come up within ${Math.round(timeoutMs / 1000)} s of '${showArgv(service.start)}'`,
        "read its log",
      ),
  });
}
