/**
 * Plain PostgreSQL connections for the bench, to the sandbox's cluster as the host config names it.
 * Unlike the jobs' `connectPostgres`, no statement timeout: an immediate checkpoint or a database
 * size of the 1 GB data set may take longer than a job's 60 s on a loaded machine.
 */
import { Client } from "pg";
import type { HostConfig } from "../../../infra/catalog/hostConfig";

/** A connected client to `database` (caller ends it). */
export async function connectBench(host: HostConfig, database: string): Promise<Client> {
  const c = host.postgres.connection;
  const client = new Client({ host: c.host, port: c.port, user: c.user, database });
  await client.connect();
  return client;
}

/** Runs `body` with a client to `database`, ended afterwards whatever `body` does. */
export async function withClient<T>(
  host: HostConfig,
  database: string,
  body: (client: Client) => Promise<T>,
): Promise<T> {
  const client = await connectBench(host, database);
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}
