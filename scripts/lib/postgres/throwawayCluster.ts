/**
 * A throwaway PostgreSQL cluster on a restored copy of a data directory, for the weekly restore
 * test: the host's own PostgreSQL binaries (the same major), a free loopback port, its socket, log
 * and access rules inside its own scratch directory, and settings in postgresql.auto.conf (read
 * last, so they win over anything the restored postgresql.conf includes):
 * - `archive_mode = off`, `archive_command = ''`: a copy never archives into any repository;
 * - `hba_file`, `ident_file`: its own, `local all all trust` over a socket in a directory only the
 *   cluster's OS user (and root) can enter, no network rule at all;
 * - `hot_standby = off`: the server accepts connections only once promoted, which is what the
 *   test waits for.
 * Tablespaces and a linked pg_wal are restored into the scratch directory by the engine, never at
 * the host's paths.
 */
import { existsSync } from "node:fs";
import {
  appendFile,
  chown,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  writeFile,
} from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Client } from "pg";
import { openClient } from "./connection";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { account } from "../job/accounts";
import { asOsUser } from "../engines/engineProcess";
import { JobError } from "../job/errors";
import { runChecked, runCommand } from "../job/exec";
import type { Logger } from "../job/log";
import { deadlineIn, sleep, UTC_STAMP_PATTERN } from "../job/time";

/**
 * How often a recovering throwaway is asked whether it is promoted; milliseconds. The copy is
 * usable the moment it promotes: any longer interval is added whole to the restore's time.
 */
const PROMOTION_POLL_MS = 200;

export interface ThrowawayCluster {
  readonly pgData: string;
  readonly socketDir: string;
  readonly port: number;
  readonly logFile: string;
}

/** The scratch layout under `root`: data directory, socket directory, log. */
export function throwawayLayout(root: string, port: number): ThrowawayCluster {
  return {
    pgData: join(root, "pgdata"),
    socketDir: join(root, "run"),
    port,
    logFile: join(root, "postgresql.log"),
  };
}

/** Creates `root` and its empty data and socket directories, owned by the cluster's OS user, mode 0700. */
export async function prepareThrowaway(
  config: HostConfig,
  cluster: ThrowawayCluster,
  root: string,
): Promise<void> {
  const owner = account(config.postgres.engine.osUser);
  // Parents stay traversable for the cluster's OS user; the scratch directory itself is private.
  await mkdir(dirname(root), { recursive: true, mode: 0o755 });
  for (const dir of [root, cluster.pgData, cluster.socketDir]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chown(dir, owner.uid, owner.gid);
  }
}

/** Writes the throwaway's own access rules and settings into the restored data directory. */
export async function configureThrowaway(
  config: HostConfig,
  cluster: ThrowawayCluster,
): Promise<void> {
  const owner = account(config.postgres.engine.osUser);
  const own = async (path: string, text: string) => {
    await writeFile(path, text, { mode: 0o600 });
    await chown(path, owner.uid, owner.gid);
  };
  const hba = join(cluster.pgData, "stellar-restore-test-hba.conf");
  const ident = join(cluster.pgData, "stellar-restore-test-ident.conf");
  await own(
    hba,
    "# restore test: the socket directory is private; no network access\nlocal all all trust\n",
  );
  await own(ident, "");
  // Debian keeps postgresql.conf in /etc: the copy then has none, and PostgreSQL needs one.
  const conf = join(cluster.pgData, "postgresql.conf");
  if (!existsSync(conf))
    await own(conf, "# restore test: every setting is in postgresql.auto.conf\n");
  const settings: Record<string, string> = {
    port: String(cluster.port),
    listen_addresses: "127.0.0.1",
    unix_socket_directories: cluster.socketDir,
    hba_file: hba,
    ident_file: ident,
    archive_mode: "off",
    archive_command: "",
    hot_standby: "off",
    logging_collector: "off",
    external_pid_file: "",
    cluster_name: "stellar-restore-test",
  };
  const lines = Object.entries(settings).map(([k, v]) => `${k} = '${v.replace(/'/g, "''")}'`);
  await appendFile(
    join(cluster.pgData, "postgresql.auto.conf"),
    `\n# restore test (throwaway cluster)\n${lines.join("\n")}\n`,
  );
}

function pgCtl(config: HostConfig, cluster: ThrowawayCluster, args: readonly string[]): string[] {
  return asOsUser(config.postgres.engine.osUser, [
    join(config.postgres.binDir, "pg_ctl"),
    "-D",
    cluster.pgData,
    ...args,
  ]);
}

/** Starts the throwaway and waits until it accepts connections (after promotion: hot_standby is off). */
export async function startThrowaway(
  config: HostConfig,
  cluster: ThrowawayCluster,
  timeoutMs: number,
): Promise<void> {
  const seconds = String(Math.max(1, Math.round(timeoutMs / 1000)));
  await runChecked(pgCtl(config, cluster, ["-l", cluster.logFile, "-w", "-t", seconds, "start"]), {
    timeoutMs: timeoutMs + 30_000,
  });
}

/** Stops it at once (nothing in it is worth a checkpoint); never throws. */
export async function stopThrowaway(config: HostConfig, cluster: ThrowawayCluster): Promise<void> {
  if (!existsSync(join(cluster.pgData, "postmaster.pid"))) return;
  await runCommand(pgCtl(config, cluster, ["-m", "immediate", "-w", "-t", "60", "stop"]), {
    timeoutMs: 90_000,
  }).catch(() => undefined);
}

/**
 * Whether the postmaster named by `pgData`'s postmaster.pid is alive and runs on `pgData` (its
 * working directory is the data directory). A pid file left by a reboot may name a pid that another
 * process, the host's own PostgreSQL included, has since been given: that one is never signalled.
 */
async function postmasterRunsOn(pgData: string): Promise<boolean> {
  const pidFile = await readFile(join(pgData, "postmaster.pid"), "utf8").catch(() => "");
  const pid = Number(pidFile.split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
  return cwd !== undefined && cwd === (await realpath(pgData).catch(() => pgData));
}

/**
 * Stops and removes the throwaways that killed runs left under `parent` (each `<UTC stamp>`
 * directory): SSM's timeout, a cancelled command or a reboot runs no `finally`, and each is a full
 * restored copy of the cluster on the backup volume, perhaps still running on its loopback port.
 * Call it holding the job's lock, before restoring: no live run owns one then. Other names under
 * `parent` are left alone. Returns the removed directories and logs them (a warning).
 */
export async function removeAbandonedThrowaways(
  config: HostConfig,
  parent: string,
  log: Logger,
): Promise<string[]> {
  const stamp = new RegExp(`^${UTC_STAMP_PATTERN.source}$`);
  const removed: string[] = [];
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    if (!stamp.test(name)) continue;
    const root = join(parent, name);
    const cluster = throwawayLayout(root, 0);
    const running = await postmasterRunsOn(cluster.pgData);
    if (running) await stopThrowaway(config, cluster);
    await rm(root, { recursive: true, force: true });
    removed.push(root);
    log.warn("removed a restore test's throwaway that an earlier, killed run left behind", {
      root,
      wasRunning: running,
    });
  }
  return removed;
}

/**
 * Connects once the throwaway has finished recovery and been promoted (with hot_standby off,
 * `pg_ctl -w` returns as soon as recovery starts). Throws a `JobError` with the end of the
 * throwaway's log when it stops first, or after `timeoutMs`.
 */
export async function connectWhenPromoted(
  config: HostConfig,
  cluster: ThrowawayCluster,
  database: string,
  timeoutMs: number,
): Promise<Client> {
  const deadline = deadlineIn(timeoutMs);
  for (;;) {
    try {
      return await connectThrowaway(config, cluster, database);
    } catch (error) {
      const status = await runCommand(pgCtl(config, cluster, ["status"]), { timeoutMs: 30_000 });
      if (status.code !== 0 || deadline.passed()) {
        const log = await readFile(cluster.logFile, "utf8").catch(() => "");
        const tail = log.trim().split("\n").slice(-3).join(" | ");
        throw new JobError(
          `the restored cluster ${status.code !== 0 ? "stopped during recovery" : `was not promoted within ${Math.round(timeoutMs / 60_000)} min`}: ${(error as Error).message}${tail ? `; its log ends: ${tail}` : ""}`,
          "the backup cannot be made consistent from the repository: run pg-verify",
        );
      }
      await sleep(PROMOTION_POLL_MS);
    }
  }
}

export async function connectThrowaway(
  config: HostConfig,
  cluster: ThrowawayCluster,
  database: string,
): Promise<Client> {
  return openClient({
    host: cluster.socketDir,
    port: cluster.port,
    user: config.postgres.connection.user,
    database,
  });
}

/**
 * A restored copy from empty directories to a connection and back: prepares `cluster`'s
 * directories under `root`, has `restore` fill its data directory, configures and starts it,
 * connects to `database` once it is promoted (`connectWhenPromoted`, `timeoutMs` for the start
 * and for the promotion each), runs `use`, then closes the connection and stops the cluster
 * whatever happened. Removing `root` is the caller's (each says what a leftover means).
 */
export async function withRestoredThrowaway<T>(
  config: HostConfig,
  cluster: ThrowawayCluster,
  root: string,
  options: {
    readonly restore: () => Promise<void>;
    readonly database: string;
    readonly timeoutMs: number;
  },
  use: (client: Client) => Promise<T>,
): Promise<T> {
  try {
    await prepareThrowaway(config, cluster, root);
    await options.restore();
    await configureThrowaway(config, cluster);
    await startThrowaway(config, cluster, options.timeoutMs);
    const client = await connectWhenPromoted(config, cluster, options.database, options.timeoutMs);
    try {
      return await use(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    await stopThrowaway(config, cluster);
  }
}
