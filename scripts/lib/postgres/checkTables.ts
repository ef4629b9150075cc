/**
 * The runbook's check tables (`postgres.check`: `anchors`, `corridors` in `stellar_insights`):
 * their row counts are stored with every PostgreSQL backup and compared after a restore.
 */
import type { Client } from "pg";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { connectPostgres } from "./connection";

/** Annotation key of a table's row count: `rows.<table>`. */
export function rowCountKey(table: string): string {
  return `rows.${table}`;
}

/** Exact row counts of the check tables (identifiers come from the validated host config). */
export async function checkTableRowCounts(
  config: HostConfig,
  client?: Client,
): Promise<Record<string, number>> {
  const own = client ?? (await connectPostgres(config, config.postgres.check.database));
  try {
    const counts: Record<string, number> = {};
    for (const table of config.postgres.check.tables) {
      const { rows } = await own.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      counts[table] = Number(rows[0].n);
    }
    return counts;
  } finally {
    if (!client) await own.end();
  }
}

/** Row counts as backup annotations. */
export function rowCountAnnotations(
  counts: Readonly<Record<string, number>>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(counts).map(([t, n]) => [rowCountKey(t), String(n)]));
}
