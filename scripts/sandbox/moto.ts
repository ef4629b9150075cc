/**
 * moto_server on 127.0.0.1 (S3, CloudWatch, SSM, SNS, KMS in one endpoint). It never evaluates
 * alarms; it stores what the jobs publish, which is what the tests read back.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { freePort, waitForPort } from "./ports";
import { requireTool } from "./tools";

/** Fixed fake credentials: moto accepts any, the SDK needs some. */
export const SANDBOX_AWS_ENV = {
  AWS_ACCESS_KEY_ID: "sandbox",
  AWS_SECRET_ACCESS_KEY: "sandbox",
  AWS_SESSION_TOKEN: "sandbox",
  AWS_EC2_METADATA_DISABLED: "true",
} as const;

/** AWS SDK v3 client settings that reach moto at `endpoint` with the sandbox's fake credentials. */
export function sandboxClientSettings(endpoint: string, region: string) {
  return {
    region,
    endpoint,
    credentials: {
      accessKeyId: SANDBOX_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: SANDBOX_AWS_ENV.AWS_SECRET_ACCESS_KEY,
      sessionToken: SANDBOX_AWS_ENV.AWS_SESSION_TOKEN,
    },
  };
}

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export function stopChild(child: ChildProcess, timeoutMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export async function startMoto(dir: string): Promise<MotoServer> {
  const program = requireTool("moto_server");
  const port = await freePort();
  const log = createWriteStream(join(dir, "moto.log"));
  const child = spawn(program, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) =>
      reject(
        new Error(
          `moto_server exited with code ${code} before listening; see ${join(dir, "moto.log")}`,
        ),
      ),
    ),
  );
  await Promise.race([waitForPort(port, 30_000, "moto_server"), exited]);
  exited.catch(() => undefined);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    stop: () => stopChild(child),
  };
}
