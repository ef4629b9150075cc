import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** SHA-256 and size of a file, read as a stream (dumps can be large). */
export async function sha256File(
  path: string,
): Promise<{ readonly sha256: string; readonly bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}
