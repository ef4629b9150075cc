/**
 * The benchmark's data: a pgbench database of a given scale in the sandbox's PostgreSQL, its size
 * as PostgreSQL counts it, the cluster's files in one archive (the bytes the raw transfer
 * baselines move), the database's directory, and rewrites of a fixed share of its pages.
 */
import { join } from "node:path";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { runChecked, runCommand } from "../../lib/job/exec";
import { secondsSince } from "../../lib/job/time";
import { withClient } from "./benchClient";

export const BENCH_DATABASE = "bench";

export interface PgbenchDatabase {
  readonly name: string;
  readonly scale: number;
  readonly initSeconds: number;
  /** `pg_database_size` after `pgbench -i` (tables, indexes, free space map, visibility map). */
  readonly databaseBytes: number;
}

function connectionArgs(host: HostConfig): string[] {
  const c = host.postgres.connection;
  return ["-h", c.host, "-p", String(c.port), "-U", c.user];
}

/** `pgbench -i -s <scale>` into a fresh database; pgbench's default steps, VACUUM included. */
export async function createPgbenchDatabase(
  host: HostConfig,
  scale: number,
): Promise<PgbenchDatabase> {
  await withClient(host, host.postgres.connection.database, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE}`);
    await client.query(`CREATE DATABASE ${BENCH_DATABASE}`);
  });
  const started = performance.now();
  await runChecked(
    [
      join(host.postgres.binDir, "pgbench"),
      ...connectionArgs(host),
      "-i",
      "-q",
      "-s",
      String(scale),
      BENCH_DATABASE,
    ],
    { timeoutMs: 15 * 60_000 },
  );
  const initSeconds = secondsSince(started);
  const databaseBytes = await withClient(host, BENCH_DATABASE, async (client) => {
    const { rows } = await client.query<{ bytes: string }>(
      "SELECT pg_database_size(current_database()) AS bytes",
    );
    return Number(rows[0].bytes);
  });
  return { name: BENCH_DATABASE, scale, initSeconds, databaseBytes };
}

/** Bytes of every database of the cluster (`pg_database_size`): what "database size" means here. */
export async function clusterBytes(host: HostConfig): Promise<number> {
  return withClient(host, host.postgres.connection.database, async (client) => {
    const { rows } = await client.query<{ bytes: string }>(
      "SELECT sum(pg_database_size(datname))::bigint AS bytes FROM pg_database",
    );
    return Number(rows[0].bytes);
  });
}

/**
 * The cluster's data files (`base/`, `global/`) in one uncompressed tar: the bytes a base backup
 * reads, for the raw transfer baselines. Taken after a CHECKPOINT with no load running; GNU tar's
 * exit 1 ("file changed as we read it", the statistics collector) is accepted.
 */
export async function clusterFilesArchive(host: HostConfig, path: string): Promise<void> {
  await withClient(host, host.postgres.connection.database, (client) => client.query("CHECKPOINT"));
  const argv = ["tar", "-cf", path, "-C", host.postgres.pgData, "base", "global"];
  const result = await runCommand(argv, { timeoutMs: 15 * 60_000 });
  if (result.code > 1)
    throw new Error(`'${argv.join(" ")}' exited ${result.code}: ${result.stderr.trim()}`);
}

/** The directory of the bench database's files: `<pgData>/base/<oid>`. */
export async function benchDatabaseDir(host: HostConfig): Promise<string> {
  return withClient(host, BENCH_DATABASE, async (client) => {
    const { rows } = await client.query<{ oid: string }>(
      "SELECT oid::text AS oid FROM pg_database WHERE datname = current_database()",
    );
    return join(host.postgres.pgData, "base", rows[0].oid);
  });
}

export interface PageRewrite {
  /** Pages of pgbench_accounts in the slice, of `tablePages` then. */
  readonly pages: number;
  readonly tablePages: number;
  readonly rows: number;
}

/**
 * Rewrites every row on one slice of pgbench_accounts' pages (`abalance + 1`), then CHECKPOINTs so
 * the files hold it. The table's pages are cut into `slices` slices by block number modulo
 * `slices`, so slice `slice` is 1 ÷ `slices` of them, spread evenly over the table; the row
 * versions the update writes land where PostgreSQL puts them (free space, new pages, index
 * entries), which is why the changed bytes are measured from the files rather than assumed.
 */
export async function rewriteAccountPages(
  host: HostConfig,
  slices: number,
  slice: number,
): Promise<PageRewrite> {
  return withClient(host, BENCH_DATABASE, async (client) => {
    const size = await client.query<{ pages: string }>(
      "SELECT (pg_relation_size('pgbench_accounts') / current_setting('block_size')::int)::text AS pages",
    );
    const tablePages = Number(size.rows[0].pages);
    const update = await client.query(
      "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE ((ctid::text::point)[0])::bigint % $1 = $2",
      [slices, slice],
    );
    await client.query("CHECKPOINT");
    const pages = Math.floor(tablePages / slices) + (slice < tablePages % slices ? 1 : 0);
    return { pages, tablePages, rows: update.rowCount ?? 0 };
  });
}
