/** A connection to the sandbox cluster's `stellar_insights` database, as the tests inspect it. */
import { Client } from "pg";
import type { Sandbox } from "../../../scripts/sandbox/sandbox";

export async function connectStellarInsights(sb: Sandbox): Promise<Client> {
  const c = sb.hostConfig.postgres.connection;
  const client = new Client({
    host: c.host,
    port: c.port,
    user: c.user,
    database: "stellar_insights",
  });
  await client.connect();
  return client;
}
