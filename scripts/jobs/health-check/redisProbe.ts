/**
 * A light, read-mostly Redis connection for the health check: one socket, commands answered in
 * order, RESP encoded and decoded by `@redis/client`'s own encoder and decoder (RESP2, the
 * protocol every Redis speaks before HELLO), without the full client's command registry.
 *
 * Why not `connectRedis`: loading the full client's command registry alone would take the health
 * check past its 60 MB peak-RSS goal (figures: docs/benchmarks.md), and the job runs every
 * 5 minutes on every database host. The check only needs INFO, TIME and LASTSAVE.
 */
import { createConnection, type Socket } from "node:net";
import { Decoder } from "@redis/client/dist/lib/RESP/decoder";
import encodeCommand from "@redis/client/dist/lib/RESP/encoder";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { JobError } from "../../lib/job/errors";
import type { RedisCommands } from "../../lib/redis/client";

/** Same limits as `connectRedis`: a host that does not answer in 5 s is reported, not waited on. */
const TIMEOUT_MS = 5000;

export interface RedisProbe extends RedisCommands {
  /** Closes the socket; pending commands are rejected. */
  destroy(): void;
}

interface Pending {
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Connects to the host config's Redis. Throws a `JobError` ("cannot connect to Redis at
 * host:port: …", with the service's status command as the hint) when it cannot connect in 5 s.
 * A command rejects with Redis's own error reply (`ERR …`), or when the socket closes or stays
 * silent for 5 s.
 */
export async function connectRedisProbe(config: HostConfig): Promise<RedisProbe> {
  const { host, port } = config.redis;
  const pending: Pending[] = [];
  const failAll = (error: Error) => {
    for (const p of pending.splice(0)) p.reject(error);
  };
  const decoder = new Decoder({
    onReply: (reply: unknown) => pending.shift()?.resolve(reply),
    onErrorReply: (error: Error) => pending.shift()?.reject(error),
    onPush: () => undefined,
    getTypeMapping: () => ({}),
  });
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = createConnection({ host, port });
    s.setTimeout(TIMEOUT_MS);
    const refuse = (error: Error) => {
      s.destroy();
      reject(
        new JobError(
          `cannot connect to Redis at ${host}:${port}: ${error.message}`,
          `check the service ('${config.redis.service.status.join(" ")}')`,
        ),
      );
    };
    s.once("error", refuse);
    s.once("timeout", () => refuse(new Error(`no answer in ${TIMEOUT_MS} ms`)));
    s.once("connect", () => {
      s.off("error", refuse);
      resolve(s);
    });
  });
  socket.removeAllListeners("timeout");
  socket.on("data", (chunk: Buffer) => decoder.write(chunk));
  socket.on("error", (error) => failAll(error));
  socket.on("timeout", () => {
    failAll(new Error(`Redis at ${host}:${port} did not answer in ${TIMEOUT_MS} ms`));
    socket.destroy();
  });
  socket.on("close", () => failAll(new Error(`Redis at ${host}:${port} closed the connection`)));
  return {
    sendCommand(args: readonly string[]): Promise<unknown> {
      return new Promise((resolve, reject) => {
        pending.push({ resolve, reject });
        for (const part of encodeCommand(args)) socket.write(part);
      });
    },
    destroy() {
      socket.destroy();
    },
  };
}
