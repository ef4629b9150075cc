/**
 * A TLS front before moto (which the jobs reach over plain HTTP): it terminates TLS with the
 * sandbox's certificate and passes bytes through to moto. It runs as its own process so that a test
 * can take S3 away from the PostgreSQL engine and give it back (`stop` / `start` on the same port),
 * or freeze it (`freeze` / `thaw`), while moto keeps every object.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { stopChild } from "./moto";
import { freePort, waitForPort } from "./ports";
import type { SandboxCertificates } from "./certificates";

/** The whole front: plain JavaScript for `node -e`, so it starts without a TypeScript loader. */
const FRONT_SOURCE = `
const tls = require("node:tls"), net = require("node:net"), fs = require("node:fs");
const [listenPort, targetPort, cert, key] = process.argv.slice(1);
tls.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (client) => {
  const upstream = net.connect(Number(targetPort), "127.0.0.1");
  client.pipe(upstream).pipe(client);
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
}).listen(Number(listenPort), "127.0.0.1");
`;

export interface TlsFront {
  /** `https://localhost:<port>` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly caFile: string;
  /** Ends the front: connections are refused, as when S3 is unreachable. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** SIGSTOP: connections hang, as with a frozen endpoint. */
  freeze(): void;
  thaw(): void;
}

export async function startTlsFront(
  targetPort: number,
  certificates: SandboxCertificates,
): Promise<TlsFront> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    const proc = spawn(
      process.execPath,
      [
        "-e",
        FRONT_SOURCE,
        String(port),
        String(targetPort),
        certificates.certFile,
        certificates.keyFile,
      ],
      { stdio: "ignore" },
    );
    child = proc;
    await waitForPort(port, 15_000, "the sandbox's S3 TLS front");
  };
  await start();
  return {
    url: `https://${certificates.hostName}:${port}`,
    host: certificates.hostName,
    port,
    caFile: certificates.caFile,
    stop: async () => {
      if (child) {
        child.kill("SIGCONT");
        await stopChild(child);
      }
    },
    start,
    freeze: () => void child?.kill("SIGSTOP"),
    thaw: () => void child?.kill("SIGCONT"),
  };
}
