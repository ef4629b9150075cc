/**
 * A steady Redis writer that remembers every write Redis acknowledged and when, so the drill can
 * say exactly which writes a restore brought back (RPO) and check them by content.
 */
import { createClient } from "@redis/client";
import { startSteadyWrites, type SteadyWrites } from "./steadyWriter";

export type { AckedWrite } from "./steadyWriter";

export const LOAD_KEY_PREFIX = "drill:load:";

export async function startRedisLoad(port: number, intervalMs = 20): Promise<SteadyWrites> {
  const client = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false } });
  client.on("error", () => undefined);
  await client.connect();
  const writes = startSteadyWrites(
    async (key, value) => {
      await client.set(key, value);
    },
    (seq) => ({
      key: `${LOAD_KEY_PREFIX}${String(seq).padStart(8, "0")}`,
      value: `written-${seq}`,
    }),
    intervalMs,
  );
  return {
    startedAt: writes.startedAt,
    acked: writes.acked,
    async stop() {
      await writes.stop();
      await client.disconnect().catch(() => undefined);
    },
  };
}
