/**
 * moto_server on 127.0.0.1 (S3, CloudWatch, SSM, SNS, KMS in one endpoint). It never evaluates
 * alarms; it stores what the jobs publish, which is what the tests read back.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync, realpathSync } from "node:fs";
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

/**
 * moto_server, with room in its KMS ciphertexts for a multi-Region key's id. moto 5.2 writes the
 * key id into a fixed 36-byte header (a UUID's length), but a multi-Region key's id is `mrk-` and
 * a UUID hex of 32 (AWS KMS developer guide, "Multi-Region key IDs"), so every ciphertext of such a
 * key names a key that does not exist and never decrypts. The header is widened to 40 bytes and
 * the padding stripped on reading; nothing else of moto changes.
 */
const MOTO_SERVER_WITH_MRK_CIPHERTEXTS = `
import moto.kms.utils as u
u.KEY_ID_LEN = 40
u.HEADER_LEN = u.KEY_ID_LEN + u.IV_LEN + u.TAG_LEN
u.CIPHERTEXT_HEADER_FORMAT = f">{u.KEY_ID_LEN}s{u.IV_LEN}s{u.TAG_LEN}s"
_read = u._deserialize_ciphertext_blob
def _deserialize(ciphertext_blob):
    c = _read(ciphertext_blob)
    return c._replace(key_id=c.key_id.rstrip("\\x00"))
u._deserialize_ciphertext_blob = _deserialize
from moto.server import main
main()
`;

/**
 * The Python that has moto: the interpreter named by the `moto_server` script's `#!` line (a
 * virtual environment's, where install-tools put moto in one because the system Python refuses
 * pip), else `python3` on PATH (a pyenv shim or a plain pip install).
 */
function motoPython(): string {
  const script = realpathSync(requireTool("moto_server"));
  const shebang = readFileSync(script, "utf8").split("\n", 1)[0];
  const named = /^#!\s*(\/\S*python[\d.]*)\s*$/.exec(shebang);
  return named ? named[1] : requireTool("python3");
}

export async function startMoto(dir: string): Promise<MotoServer> {
  const python = motoPython();
  const port = await freePort();
  const log = createWriteStream(join(dir, "moto.log"));
  const child = spawn(
    python,
    ["-c", MOTO_SERVER_WITH_MRK_CIPHERTEXTS, "-H", "127.0.0.1", "-p", String(port)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
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
