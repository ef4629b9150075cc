/** The timeline the running PostgreSQL cluster is on: where its production history ends. */
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { connectPostgres } from "./connection";

/**
 * The running cluster's current timeline, or undefined when PostgreSQL does not answer. A primary's
 * is the timeline of its current WAL file (`pg_walfile_name(pg_current_wal_lsn())`): right after a
 * promotion the checkpoint in `pg_control_checkpoint()` may still name the old one, since
 * PostgreSQL 15 promotes without waiting for it. A standby's is its last checkpoint's.
 */
export async function clusterTimeline(config: HostConfig): Promise<number | undefined> {
  let client;
  try {
    client = await connectPostgres(config);
  } catch {
    return undefined;
  }
  try {
    const { rows } = await client.query<{ timeline: number }>(
      `SELECT CASE WHEN pg_is_in_recovery() THEN (SELECT timeline_id FROM pg_control_checkpoint())
              ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END
              AS timeline`,
    );
    return Number(rows[0].timeline);
  } finally {
    await client.end();
  }
}
