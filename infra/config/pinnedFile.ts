/**
 * A file the stack ships pinned by its SHA-256 (an engine's release binary), checked on disk: it must exist and
 * hash to the pinned value before anything reaches AWS. Read by the stack config's validation (so a
 * missing or wrong file is reported with every other config problem) and by the host plane that
 * ships it.
 */
import { readFileSync } from "node:fs";
import { sha256Hex } from "../catalog/sha256";
import type { PinnedArtifact } from "./stackConfig";

/** The file's bytes, or which field of the pin is wrong and why (a config problem's message). */
export type PinnedFileRead =
  | { readonly ok: true; readonly bytes: Buffer; readonly sha256: string }
  | { readonly ok: false; readonly field: keyof PinnedArtifact; readonly message: string };

/**
 * Reads `pinned.path` (a relative path from the working directory: the Pulumi project, where
 * `pulumi` and `npm run synth` run) and compares its SHA-256 (lower-case hex) with `pinned.sha256`.
 *
 * @param what the file, for messages (`<engine title> binary`)
 * @returns the bytes; or `field: "path"` when the file cannot be read, `field: "sha256"` when it
 *   hashes to something else, each message saying what to do. Never throws.
 */
export function readPinnedFile(pinned: PinnedArtifact, what: string): PinnedFileRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(pinned.path);
  } catch (error) {
    return {
      ok: false,
      field: "path",
      message: `cannot read the ${what} (${(error as Error).message}): put the release binary there (a relative path is read from the Pulumi project directory) or correct the path`,
    };
  }
  const sha256 = sha256Hex(bytes);
  if (sha256 !== pinned.sha256)
    return {
      ok: false,
      field: "sha256",
      message: `${pinned.path} has SHA-256 ${sha256}; download the release again or correct the pinned hash`,
    };
  return { ok: true, bytes, sha256 };
}
