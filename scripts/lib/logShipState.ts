/**
 * What logs-ship remembers between runs (in the state dir): the content prefixes already in S3,
 * and the files (by device and inode) already fully covered, with the size and mtime they had, so
 * an unchanged file is skipped without reading it.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomicFile";
import type { ShippedPrefix } from "./logContent";

export interface CoveredFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface LogShipState {
  readonly schemaVersion: 1;
  prefixes: (ShippedPrefix & { readonly shippedAt: string })[];
  /** Keyed by `<dev>:<ino>`. */
  files: Record<string, CoveredFile>;
}

export function statePath(stateDir: string): string {
  return join(stateDir, "logs-ship", "shipped.json");
}

export async function readState(stateDir: string): Promise<LogShipState> {
  try {
    const state = JSON.parse(await fs.readFile(statePath(stateDir), "utf8")) as LogShipState;
    if (state.schemaVersion === 1 && Array.isArray(state.prefixes) && state.files) return state;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return { schemaVersion: 1, prefixes: [], files: {} };
}

export async function writeState(stateDir: string, state: LogShipState): Promise<void> {
  await writeFileAtomic(statePath(stateDir), `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

/** Forgets prefixes older than `keepDays` (their files have rotated away by then). */
export function forgetOldPrefixes(state: LogShipState, keepDays: number, now: Date): void {
  const cutoff = now.getTime() - keepDays * 86_400_000;
  state.prefixes = state.prefixes.filter((p) => Date.parse(p.shippedAt) >= cutoff);
}
