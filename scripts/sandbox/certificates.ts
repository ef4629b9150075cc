/**
 * The sandbox's own certificate authority and a server certificate for `localhost`, made with the
 * openssl CLI. The PostgreSQL engine speaks only HTTPS to S3 and verifies the certificate's host
 * name (a DNS name, not an IP address), so the sandbox's S3 front presents this certificate and the
 * engine trusts this CA, and nothing else: TLS is verified in the sandbox as on a host.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runChecked } from "../lib/job/exec";
import { requireTool } from "./tools";

export interface SandboxCertificates {
  /** PEM of the CA, for clients (`caFile`). */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The name the certificate is valid for. */
  readonly hostName: string;
}

export const SANDBOX_TLS_HOST = "localhost";

export async function makeCertificates(dir: string): Promise<SandboxCertificates> {
  const openssl = requireTool("openssl");
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const f = (name: string) => join(dir, name);
  const run = (args: string[]) => runChecked([openssl, ...args], { timeoutMs: 60_000 });
  await run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=stellar-insights-backup sandbox CA",
  ]);
  await run([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    f("server.key"),
    "-out",
    f("server.csr"),
    "-subj",
    `/CN=${SANDBOX_TLS_HOST}`,
  ]);
  writeFileSync(
    f("server.ext"),
    `subjectAltName=DNS:${SANDBOX_TLS_HOST}\nextendedKeyUsage=serverAuth\n`,
  );
  await run([
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("server.pem"),
    "-days",
    "2",
    "-extfile",
    f("server.ext"),
  ]);
  return {
    caFile: f("ca.pem"),
    certFile: f("server.pem"),
    keyFile: f("server.key"),
    hostName: SANDBOX_TLS_HOST,
  };
}
