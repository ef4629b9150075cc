/**
 * The sandbox's streaming standby: a copy of the sandbox cluster taken with `pg_basebackup -R`
 * (which writes `standby.signal` and `primary_conninfo`), on its own free port and socket directory,
 * replaying the primary's WAL as it streams. It reads the same managed fragment as the primary
 * (the copied postgresql.conf includes it), so it runs with the stack's settings; `archive_mode =
 * on` archives nothing in recovery, so the primary's archive stays the only one.
 */
import { dirname, join } from "node:path";
import type { HostConfig } from "../../infra/catalog/hostConfig";
import { runChecked } from "../lib/job/exec";
import { ownedDir } from "./owned";

/** Where the standby runs, as the host config's `postgres.backupFrom.standby` names it. */
export interface SandboxStandby {
  readonly pgData: string;
  readonly port: number;
  readonly socketDir: string;
  readonly logFile: string;
  /** Starts it again after `halt` (pg_ctl start, waiting until it accepts connections). */
  start(): Promise<void>;
  /** A fast shutdown that keeps its data: a standby that is down. */
  halt(): Promise<void>;
  /** The sandbox's teardown: an immediate shutdown. */
  stop(): Promise<void>;
}

/**
 * Takes a base backup of the running sandbox cluster into the standby's `pgData` (the host config's
 * `postgres.backupFrom.standby`) and starts it there as a streaming standby, its log beside it.
 * Resolves once it accepts connections (hot standby).
 */
export async function startStandby(host: HostConfig): Promise<SandboxStandby> {
  const pg = host.postgres;
  const named = pg.backupFrom?.standby;
  if (!named) throw new Error("the host config names no standby (postgres.backupFrom.standby)");
  const { pgData, port, socketDir } = named;
  const logFile = join(
    ownedDir(join(dirname(pgData), "logs"), "postgres", 0o755),
    "postgresql.log",
  );
  ownedDir(socketDir, "postgres", 0o755);
  ownedDir(pgData, "postgres", 0o700);
  await runChecked(
    [
      "runuser",
      "-u",
      "postgres",
      "--",
      join(pg.binDir, "pg_basebackup"),
      "-D",
      pgData,
      "-d",
      `host=${pg.connection.host} port=${pg.connection.port} user=${pg.connection.user} application_name=sandbox-standby`,
      "-R",
      "--checkpoint=fast",
      "--wal-method=stream",
      "--no-sync",
    ],
    { timeoutMs: 300_000 },
  );
  // Its port and sockets on the command line, not in its postgresql.conf: the files in its data
  // directory stay the primary's, as on a real standby, and so do those of a backup read from it.
  const pgCtl = (...args: string[]) =>
    runChecked(
      ["runuser", "-u", "postgres", "--", join(pg.binDir, "pg_ctl"), "-D", pgData, ...args],
      { timeoutMs: 90_000 },
    );
  const start = async () => {
    await pgCtl("-l", logFile, "-o", `-p ${port} -k ${socketDir}`, "-w", "-t", "60", "start");
  };
  await start();
  return {
    pgData,
    port,
    socketDir,
    logFile,
    start,
    halt: async () => {
      await pgCtl("-m", "fast", "-w", "-t", "60", "stop");
    },
    stop: async () => {
      await pgCtl("-m", "immediate", "-w", "-t", "60", "stop").catch(() => undefined);
    },
  };
}
