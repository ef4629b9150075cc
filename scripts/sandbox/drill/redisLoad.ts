/**
 * A steady Redis writer that remembers every write Redis acknowledged and when, so the drill can
 * say exactly which writes a restore brought back (RPO) and check them by content.
 */
import { createClient } from "@redis/client";

export interface AckedWrite {
  readonly key: string;
  readonly value: string;
  readonly ackedAt: number;
}

export interface RedisLoad {
  /** Writes acknowledged so far, in order. */
  readonly acked: readonly AckedWrite[];
  /** Stops writing (at the disaster, the writer's errors end it anyway). */
  stop(): Promise<void>;
}

export const LOAD_KEY_PREFIX = "drill:load:";

export async function startRedisLoad(port: number, intervalMs = 20): Promise<RedisLoad> {
  const client = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false } });
  client.on("error", () => undefined);
  await client.connect();
  const acked: AckedWrite[] = [];
  let running = true;
  const loop = (async () => {
    for (let seq = 0; running; seq++) {
      const key = `${LOAD_KEY_PREFIX}${String(seq).padStart(8, "0")}`;
      const value = `written-${seq}`;
      try {
        await client.set(key, value);
      } catch {
        return; // the server went away: nothing after this was acknowledged
      }
      acked.push({ key, value, ackedAt: Date.now() });
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    acked,
    async stop() {
      running = false;
      await loop;
      await client.disconnect().catch(() => undefined);
    },
  };
}
