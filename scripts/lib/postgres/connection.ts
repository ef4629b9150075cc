/** PostgreSQL connections from the host config (password, if any, from ~/.pgpass as libpq does). */
import type { Client } from "pg";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { JobError } from "../job/errors";

export async function connectPostgres(
  config: HostConfig,
  database = config.postgres.connection.database,
): Promise<Client> {
  const c = config.postgres.connection;
  // Loaded on first use: jobs and health checks that never reach PostgreSQL do not pay for the driver.
  const { Client: PgClient } = await import("pg");
  const client = new PgClient({
    host: c.host,
    port: c.port,
    user: c.user,
    database,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 60_000,
    application_name: "stellar-insights-backup",
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new JobError(
      `cannot connect to PostgreSQL at ${c.host}:${c.port} as ${c.user}: ${(error as Error).message}`,
      `check the service ('${config.postgres.service.status.join(" ")}') and pg_hba.conf`,
    );
  }
  return client;
}
