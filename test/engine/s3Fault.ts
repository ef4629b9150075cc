/**
 * A fault in the sandbox's S3 for one object: an HTTPS proxy that takes the place of the sandbox's
 * TLS front (same port, same certificate) and passes every request to moto unchanged, except a GET
 * of a key that contains `keyPart`, which it answers with a 503 (`SlowDown`, as S3 does when
 * throttling) or with an empty 200 (an object that reads as 0 bytes). Listings still show the
 * object as it is: the fault is met only when the engine reads it.
 */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer, type Server } from "node:https";
import { join } from "node:path";
import type { Sandbox } from "../../scripts/sandbox/sandbox";

export type S3FaultKind = "503" | "empty";

export interface S3Fault {
  /** How many reads of the faulty object it answered with the fault. */
  readonly hits: () => number;
  /** Ends the proxy and starts the sandbox's own TLS front again. */
  stop(): Promise<void>;
}

export async function startS3Fault(
  sb: Sandbox,
  keyPart: string,
  kind: S3FaultKind,
): Promise<S3Fault> {
  const tls = join(sb.dir, "tls");
  let hits = 0;
  await sb.tlsFront.stop();
  const server: Server = createServer(
    {
      cert: readFileSync(join(tls, "server.pem")),
      key: readFileSync(join(tls, "server.key")),
    },
    (req, res) => {
      // The object's own path (path-style: /bucket/key), not a listing whose prefix names it.
      const path = decodeURIComponent(new URL(req.url ?? "/", "https://s3").pathname);
      if (req.method === "GET" && path.includes(keyPart)) {
        hits++;
        req.resume();
        if (kind === "503") {
          res.writeHead(503, { "Content-Type": "application/xml" });
          res.end(
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
          );
        } else {
          res.writeHead(200, { "Content-Length": "0" });
          res.end();
        }
        return;
      }
      const upstream = request(
        {
          host: "127.0.0.1",
          port: sb.moto.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(sb.tlsFront.port, "127.0.0.1", resolve);
  });
  return {
    hits: () => hits,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sb.tlsFront.start();
    },
  };
}
