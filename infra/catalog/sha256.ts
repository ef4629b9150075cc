/**
 * SHA-256 as lower-case hex: how artifacts are named (content-addressed S3 keys), verified by the
 * install document (`sha256sum`), and recorded in object metadata by the host jobs. One definition
 * for the control plane and the hosts, so both sides always compute the same text.
 * Pure module: Node's crypto only, so host jobs can bundle it.
 */
import { createHash } from "node:crypto";

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
