/** What the restore tests look at: rows, the data directory as a listing, the archive's progress. */
import { createHash } from "node:crypto";
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Sandbox } from "../../scripts/sandbox/sandbox";
import { connectStellarInsights } from "../host/support/postgres";

/** Anchor names, sorted: the rows a restore must bring back exactly. */
export async function anchorNames(sb: Sandbox): Promise<string[]> {
  const client = await connectStellarInsights(sb);
  try {
    const { rows } = await client.query<{ name: string }>("SELECT name FROM anchors ORDER BY name");
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

/** Inserts anchors named `names` in one committed transaction. */
export async function insertAnchors(sb: Sandbox, names: readonly string[]): Promise<void> {
  const client = await connectStellarInsights(sb);
  try {
    await client.query("INSERT INTO anchors (name) SELECT unnest($1::text[])", [names]);
  } finally {
    await client.end();
  }
}

/** Closes the current WAL segment and waits until PostgreSQL's archiver reports it archived. */
export async function archiveCurrentSegment(sb: Sandbox, timeoutMs = 120_000): Promise<string> {
  const client = await connectStellarInsights(sb);
  try {
    const { rows } = await client.query<{ wal: string }>(
      "SELECT pg_walfile_name(pg_current_wal_lsn()) AS wal",
    );
    await client.query("SELECT pg_switch_wal()");
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const a = await client.query<{ last: string | null }>(
        "SELECT last_archived_wal AS last FROM pg_stat_archiver",
      );
      if ((a.rows[0].last ?? "") >= rows[0].wal) return rows[0].wal;
      if (Date.now() > deadline)
        throw new Error(`segment ${rows[0].wal} was not archived within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await client.end();
  }
}

/**
 * A fingerprint of the data directory and its siblings by name, and of the running server's start
 * time (postmaster.pid): a refused restore must not stop the server or move, create or remove
 * anything. File contents change under a running server, and so do WAL segment names (PostgreSQL
 * recycles them): pg_wal is left out.
 */
export function dataDirectoryFingerprint(pgData: string): string {
  const names = readdirSync(pgData, { recursive: true })
    .map(String)
    .filter((n) => !n.startsWith("pg_wal/"))
    .sort();
  const siblings = readdirSync(dirname(pgData))
    .filter((n) => n.startsWith("pgdata"))
    .sort();
  const started = readFileSync(join(pgData, "postmaster.pid"), "utf8").split("\n").slice(0, 3);
  return createHash("sha256").update(JSON.stringify({ names, siblings, started })).digest("hex");
}

/** The end of the sandbox cluster's log, for failure messages. */
export function postgresLogTail(sb: Sandbox, lines = 25): string {
  try {
    return `\n--- PostgreSQL log ---\n${readFileSync(sb.postgres?.logFile ?? "", "utf8")
      .split("\n")
      .slice(-lines)
      .join("\n")}`;
  } catch {
    return "";
  }
}

/**
 * Creates `table` in `stellar_insights` with a few rows (not a check table), checkpoints, and
 * overwrites `bytes` at `offset` of its first page in the data directory: the page stays clean in
 * PostgreSQL's memory, so only what reads the file (a backup, a restored copy) meets the damage.
 * Resolves with the relation file relative to the data directory (`base/16384/16385`).
 */
export async function damageTableOnDisk(
  sb: Sandbox,
  table: string,
  offset: number,
  bytes: Buffer,
): Promise<string> {
  const client = await connectStellarInsights(sb);
  let path: string;
  try {
    await client.query(
      `CREATE TABLE ${table} AS SELECT g AS id, 'row ' || g AS note FROM generate_series(1, 50) g`,
    );
    const { rows } = await client.query<{ path: string }>(
      "SELECT pg_relation_filepath($1::regclass) AS path",
      [table],
    );
    path = rows[0].path;
    await client.query("CHECKPOINT");
  } finally {
    await client.end();
  }
  const fd = openSync(join(sb.hostConfig.postgres.pgData, path), "r+");
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
  return path;
}
