/**
 * The runbook's check tables (`anchors`, `corridors` in `stellar_insights`) grown to a realistic
 * size for the drill, with every row's content a function of its id, so a restore is checked row
 * by row by content in one pass per table (not by counts alone), however large the tables are.
 * The sandbox's own seed rows follow the same rules (scripts/sandbox/postgres.ts), so they are
 * checked too.
 */
import type { Client } from "pg";

/** Per table: the columns written, the SQL that derives them from `g`, and the check against `id`. */
const RULES = {
  anchors: { columns: "name", values: "'anchor-' || g", matches: "name = 'anchor-' || id" },
  corridors: {
    columns: "source, destination",
    values: "'USD', 'NGN-' || g",
    matches: "source = 'USD' AND destination = 'NGN-' || id",
  },
} as const;

export type CheckTable = keyof typeof RULES;
export const CHECK_TABLES = Object.keys(RULES) as CheckTable[];
/** Of every chunk of new rows, this share goes to corridors (the many), the rest to anchors. */
const CORRIDOR_SHARE = 0.75;
const MAX_CHUNK_ROWS = 500_000;
/** About this many rows (heap and primary key) make a megabyte; only sizes the chunks. */
const ROWS_PER_MB_ESTIMATE = 13_000;

export interface SeededTables {
  /** Rows per check table: ids 1..n. */
  readonly rows: Readonly<Record<CheckTable, number>>;
  /** `pg_database_size` of the database once seeded. */
  readonly databaseBytes: number;
}

async function maxIds(client: Client): Promise<Record<CheckTable, number>> {
  const out = {} as Record<CheckTable, number>;
  for (const table of CHECK_TABLES) {
    const { rows } = await client.query<{ n: string | null }>(`SELECT max(id) AS n FROM ${table}`);
    out[table] = Number(rows[0].n ?? 0);
  }
  return out;
}

async function databaseBytes(client: Client): Promise<number> {
  const { rows } = await client.query<{ b: string }>(
    "SELECT pg_database_size(current_database()) AS b",
  );
  return Number(rows[0].b);
}

/**
 * Adds rows to both tables in chunks until the database is at least `scaleMb` MB (MiB), then sets
 * each table's id sequence past its rows. `client` is connected to the check database, which
 * already holds the tables (and possibly rows following RULES).
 */
export async function growCheckTables(client: Client, scaleMb: number): Promise<SeededTables> {
  await client.query("SET statement_timeout = 0");
  const targetBytes = scaleMb * 1024 * 1024;
  const chunk = Math.max(
    5_000,
    Math.min(MAX_CHUNK_ROWS, Math.round((scaleMb * ROWS_PER_MB_ESTIMATE) / 4)),
  );
  const ids = await maxIds(client);
  while ((await databaseBytes(client)) < targetBytes) {
    const add: Record<CheckTable, number> = {
      anchors: Math.round(chunk * (1 - CORRIDOR_SHARE)),
      corridors: Math.round(chunk * CORRIDOR_SHARE),
    };
    for (const table of CHECK_TABLES) {
      const rule = RULES[table];
      await client.query(
        `INSERT INTO ${table} (id, ${rule.columns}) SELECT g, ${rule.values} FROM generate_series($1::bigint, $2::bigint) g`,
        [ids[table] + 1, ids[table] + add[table]],
      );
      ids[table] += add[table];
    }
  }
  for (const table of CHECK_TABLES)
    await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), $1)`, [
      Math.max(1, ids[table]),
    ]);
  await client.query("ANALYZE");
  return { rows: ids, databaseBytes: await databaseBytes(client) };
}

export interface CheckTableResult {
  readonly expected: number;
  /** Rows with ids 1..expected whose content follows the table's rule. */
  readonly restored: number;
  /** Rows in the table, whatever their content. */
  readonly present: number;
}

/**
 * Every check table by content: each row's columns against the rule for its id, the row count and
 * the highest id. Throws naming the table when anything differs from `seeded`.
 */
export async function verifyCheckTables(
  client: Client,
  seeded: Readonly<Record<CheckTable, number>>,
): Promise<Record<CheckTable, CheckTableResult>> {
  await client.query("SET statement_timeout = 0");
  const out = {} as Record<CheckTable, CheckTableResult>;
  const problems: string[] = [];
  for (const table of CHECK_TABLES) {
    const { rows } = await client.query<{ present: string; matching: string }>(
      `SELECT count(*) AS present, count(*) FILTER (WHERE id BETWEEN 1 AND $1 AND ${RULES[table].matches}) AS matching FROM ${table}`,
      [seeded[table]],
    );
    const result = {
      expected: seeded[table],
      restored: Number(rows[0].matching),
      present: Number(rows[0].present),
    };
    out[table] = result;
    if (result.restored !== result.expected || result.present !== result.expected)
      problems.push(
        `${table}: ${result.restored} of ${result.expected} rows with their content, ${result.present} rows in the table`,
      );
  }
  if (problems.length > 0) throw new Error(`check tables differ: ${problems.join("; ")}`);
  return out;
}
