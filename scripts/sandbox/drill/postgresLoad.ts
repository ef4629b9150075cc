/**
 * A steady PostgreSQL writer: one autocommit INSERT at a time into the drill's load table, each
 * recorded once PostgreSQL acknowledged its commit (steadyWriter.ts), so the drill can check a
 * restore write by write and measure what the archive had not yet received.
 */
import type { Client } from "pg";
import { startSteadyWrites, type SteadyWrites } from "./steadyWriter";

/** The load table, created before the full backup (so the backup holds it, empty). */
export const LOAD_TABLE = "drill_writes";

export async function createLoadTable(client: Client): Promise<void> {
  await client.query(
    `CREATE TABLE ${LOAD_TABLE} (id bigint PRIMARY KEY, payload text NOT NULL, written_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  );
}

/** Writes until stopped or until PostgreSQL goes away; `client` is this writer's own connection. */
export function startPostgresLoad(client: Client, intervalMs = 20): SteadyWrites {
  client.on("error", () => undefined);
  return startSteadyWrites(
    async (key, value) => {
      await client.query(`INSERT INTO ${LOAD_TABLE} (id, payload) VALUES ($1, $2)`, [key, value]);
    },
    (seq) => ({ key: String(seq), value: `payment-${seq}-${(seq * 7919) % 104729}` }),
    intervalMs,
  );
}

/** What the load table holds now, as the writer's keys and values. */
export async function readLoadTable(client: Client): Promise<{ key: string; value: string }[]> {
  const { rows } = await client.query<{ id: string; payload: string }>(
    `SELECT id::text AS id, payload FROM ${LOAD_TABLE} ORDER BY id`,
  );
  return rows.map((r) => ({ key: r.id, value: r.payload }));
}
