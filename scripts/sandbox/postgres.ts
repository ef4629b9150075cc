/**
 * A throwaway PostgreSQL cluster owned by `postgres` (initdb and pg_ctl through runuser), on
 * 127.0.0.1 and a free port, configured from the RENDERED postgresql.conf fragment.
 *
 * WAL archiving in the sandbox: the fragment is used verbatim, so `archive_mode = on` and
 * `archive_command` runs the stack's engine with its config file. Until the sandbox has set the
 * engine up (its config and repositories), archive attempts fail and PostgreSQL keeps the segments
 * and retries; without the engine installed they fail for good and the health check's WAL lag
 * grows past the RPO. Nothing pretends WAL was archived.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import type { HostConfig, ServiceControl } from "../../infra/catalog/hostConfig";
import { postgresConf } from "../../infra/content/host/postgresConf";
import { runChecked } from "../lib/job/exec";
import { ownedDir } from "./owned";
import { requireTool } from "./tools";

export interface SandboxPostgresLayout {
  readonly binDir: string;
  readonly pgData: string;
  readonly logFile: string;
}

/** `pg_ctl -D <pgData> <args>` as `postgres` (PostgreSQL refuses root), as an argv. */
function pgCtlAs(
  layout: Omit<SandboxPostgresLayout, "logFile">,
  args: readonly string[],
): string[] {
  return [
    "runuser",
    "-u",
    "postgres",
    "--",
    join(layout.binDir, "pg_ctl"),
    "-D",
    layout.pgData,
    ...args,
  ];
}

/** pg_ctl through runuser: the sandbox's stand-in for `systemctl … postgresql@15-main`. */
export function pgCtlService(layout: SandboxPostgresLayout): ServiceControl {
  const pgCtl = (...args: string[]) => pgCtlAs(layout, args);
  return {
    start: pgCtl("-l", layout.logFile, "-w", "-t", "60", "start"),
    stop: pgCtl("-m", "fast", "-w", "-t", "60", "stop"),
    restart: pgCtl("-l", layout.logFile, "-m", "fast", "-w", "-t", "60", "restart"),
    reload: pgCtl("reload"),
    status: pgCtl("status"),
  };
}

export interface SandboxPostgres {
  readonly port: number;
  readonly pgData: string;
  readonly logFile: string;
  /**
   * The sandbox's teardown: an immediate shutdown (SIGQUIT to every backend, no checkpoint, no
   * archiver round). A fast one waits for the archiver to try each waiting WAL segment up to 3
   * times, a minute each when S3 is gone (Ctrl-C reaches moto and the TLS front first), past
   * pg_ctl's 60 s; the cluster is deleted next anyway. The archive_command the archiver leaves
   * running is the caller's to end (strayProcesses.ts).
   */
  stop(): Promise<void>;
}

/** The runbook's check tables in `stellar_insights`, with a few rows each. */
export async function seedStellarInsights(host: HostConfig): Promise<void> {
  const connection = {
    host: host.postgres.connection.host,
    port: host.postgres.connection.port,
    user: host.postgres.connection.user,
  };
  const admin = new Client({ ...connection, database: host.postgres.connection.database });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${host.postgres.check.database}`);
  } finally {
    await admin.end();
  }
  const app = new Client({ ...connection, database: host.postgres.check.database });
  await app.connect();
  try {
    await app.query("CREATE TABLE anchors (id serial PRIMARY KEY, name text NOT NULL)");
    await app.query(
      "CREATE TABLE corridors (id serial PRIMARY KEY, source text NOT NULL, destination text NOT NULL)",
    );
    await app.query(
      "INSERT INTO anchors (name) SELECT 'anchor-' || g FROM generate_series(1, 5) g",
    );
    await app.query(
      "INSERT INTO corridors (source, destination) SELECT 'USD', 'NGN-' || g FROM generate_series(1, 3) g",
    );
  } finally {
    await app.end();
  }
}

export async function startPostgres(
  host: HostConfig,
  options: {
    readonly socketDir: string;
    readonly seed: boolean;
    /** initdb --data-checksums: PostgreSQL and the engine then detect damaged pages. */
    readonly dataChecksums?: boolean;
    /** initdb --wal-segsize, in MiB (a power of two, 1 to 1024); PostgreSQL's 16 when absent. */
    readonly walSegmentMb?: number;
  },
): Promise<SandboxPostgres> {
  const pg = host.postgres;
  requireTool("runuser");
  requireTool(join(pg.binDir, "initdb"));
  const logFile = pg.service.start[pg.service.start.indexOf("-l") + 1];
  ownedDir(pg.pgData, "postgres", 0o700);
  ownedDir(options.socketDir, "postgres", 0o755);
  await runChecked(
    [
      "runuser",
      "-u",
      "postgres",
      "--",
      join(pg.binDir, "initdb"),
      "-D",
      pg.pgData,
      "-U",
      "postgres",
      "--auth=trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      ...(options.dataChecksums ? ["--data-checksums"] : []),
      ...(options.walSegmentMb ? [`--wal-segsize=${options.walSegmentMb}`] : []),
    ],
    { timeoutMs: 120_000 },
  );
  writeFileSync(pg.managedConfigFile, postgresConf(host), { mode: 0o644 });
  appendFileSync(
    join(pg.pgData, "postgresql.conf"),
    [
      "",
      "# stellar-insights-backup sandbox: local-only listener, then the managed fragment as rendered.",
      "listen_addresses = '127.0.0.1'",
      `port = ${pg.connection.port}`,
      `unix_socket_directories = '${options.socketDir}'`,
      "fsync = off",
      `include '${pg.managedConfigFile}'`,
      "",
    ].join("\n"),
  );
  await runChecked(pg.service.start, { timeoutMs: 90_000 });
  if (options.seed) await seedStellarInsights(host);
  return {
    port: pg.connection.port,
    pgData: pg.pgData,
    logFile,
    stop: async () => {
      await runChecked(pgCtlAs(pg, ["-m", "immediate", "-w", "-t", "60", "stop"]), {
        timeoutMs: 90_000,
      }).catch(() => undefined);
    },
  };
}
