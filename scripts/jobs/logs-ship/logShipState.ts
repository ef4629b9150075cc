/**
 * What logs-ship remembers between runs (in the state dir): the content prefixes already in S3,
 * the files (by device and inode) already fully covered, with the size and mtime they had, so
 * an unchanged file is skipped without reading it, and the compressed files no run could read.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/files/atomicFile";
import type { ShippedPrefix } from "./logContent";

export interface CoveredFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Consecutive runs a compressed log may stay unreadable, unchanged (same size and mtime), before
 * it fails logs-ship. One that logrotate is still writing is readable (or has grown) by the next
 * hourly run; one unchanged through this many runs is corrupt and would otherwise be skipped,
 * unshipped, forever. Counted in runs, not by a clock.
 */
export const UNREADABLE_RUNS_LIMIT = 3;

/** A file no run could read, as the last run saw it. */
export interface UnreadableFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** Consecutive runs that found it unreadable, unchanged. */
  readonly runs: number;
}

export interface LogShipState {
  readonly schemaVersion: 1;
  prefixes: (ShippedPrefix & { readonly shippedAt: string })[];
  /** Keyed by `<dev>:<ino>`. */
  files: Record<string, CoveredFile>;
  /** Keyed by `<dev>:<ino>`; absent in state written before it was kept. */
  unreadable?: Record<string, UnreadableFile>;
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
