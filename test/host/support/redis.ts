import { createClient } from "@redis/client";
import type { Sandbox } from "../../../scripts/sandbox/sandbox";

export async function redisClient(sb: Sandbox) {
  const client = createClient({
    socket: { host: "127.0.0.1", port: sb.hostConfig.redis.port, reconnectStrategy: false },
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** Every key of db 0 with its string value, sorted: the content a restore must bring back. */
export async function snapshot(sb: Sandbox): Promise<Record<string, string>> {
  const client = await redisClient(sb);
  try {
    const keys = ((await client.sendCommand(["KEYS", "*"])) as string[]).sort();
    const values: Record<string, string> = {};
    for (const key of keys) values[key] = String(await client.sendCommand(["GET", key]));
    return values;
  } finally {
    client.destroy();
  }
}

export async function redisCommand(sb: Sandbox, args: string[]): Promise<unknown> {
  const client = await redisClient(sb);
  try {
    return await client.sendCommand(args);
  } finally {
    client.destroy();
  }
}

export async function persistenceInfo(sb: Sandbox): Promise<Record<string, string>> {
  const text = String(await redisCommand(sb, ["INFO", "persistence"]));
  return Object.fromEntries(
    text
      .split(/\r?\n/)
      .filter((l) => l.includes(":"))
      .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]),
  );
}
