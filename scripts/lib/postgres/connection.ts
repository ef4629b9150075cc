/** PostgreSQL connections from the host config (password, if any, from ~/.pgpass as libpq does). */
import type { Client } from "pg";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { JobError } from "../job/errors";

/** Where and as whom a client connects: `host` may be a Unix socket directory. */
export interface ClusterAddress {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

/**
 * A connected client to `address` (10 s to connect; `statementTimeoutMs` per statement when
 * given). Throws the driver's own error when it cannot connect, having closed the client.
 */
export async function openClient(
  address: ClusterAddress,
  statementTimeoutMs?: number,
): Promise<Client> {
  // Loaded on first use: jobs and health checks that never reach PostgreSQL do not pay for the driver.
  const { Client: PgClient } = await import("pg");
  const client = new PgClient({
    ...address,
    connectionTimeoutMillis: 10_000,
    ...(statementTimeoutMs !== undefined ? { statement_timeout: statementTimeoutMs } : {}),
    application_name: "stellar-insights-backup",
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/**
 * The host config's cluster (`postgres.connection`), `database` in it. Throws a `JobError` naming
 * the address when it cannot connect.
 */
export async function connectPostgres(
  config: HostConfig,
  database = config.postgres.connection.database,
): Promise<Client> {
  const c = config.postgres.connection;
  try {
    return await openClient({ host: c.host, port: c.port, user: c.user, database }, 60_000);
  } catch (error) {
    throw new JobError(
      `cannot connect to PostgreSQL at ${c.host}:${c.port} as ${c.user}: ${(error as Error).message}`,
      `check the service ('${config.postgres.service.status.join(" ")}') and pg_hba.conf`,
    );
  }
}
