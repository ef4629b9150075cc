/**
 * Where config archives live and the `latest` pointer per host and set, which the runbook's
 * restore expected (`app-configs-latest.tar.gz`) but its backup never wrote.
 *
 *   configs/<host>/<set>/<UTC stamp>-<content hash 12>.tar.gz   the archives
 *   configs/<host>/<set>/latest.json                            the pointer (ConfigPointer)
 */
import type { ManifestEntry } from "./configArchive";

export interface ConfigPointer {
  readonly schemaVersion: 1;
  readonly host: string;
  readonly set: string;
  readonly archiveKey: string;
  readonly archiveSha256: string;
  readonly contentHash: string;
  /** Paths, modes, owners, sizes and SHA-256s: never contents. */
  readonly files: readonly ManifestEntry[];
  /** When the archive was made. */
  readonly createdAt: string;
  /** When config-backup last confirmed the host still matches it (rewritten every run). */
  readonly checkedAt: string;
}

export const ARCHIVE_NAME_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{12}\.tar\.gz$/;

export function setPrefix(prefix: string, host: string, set: string): string {
  return `${prefix}${host}/${set}/`;
}

export function pointerKey(prefix: string, host: string, set: string): string {
  return `${setPrefix(prefix, host, set)}latest.json`;
}

export function archiveKey(
  prefix: string,
  host: string,
  set: string,
  stamp: string,
  contentHash: string,
): string {
  return `${setPrefix(prefix, host, set)}${stamp}-${contentHash.slice(0, 12)}.tar.gz`;
}

export function isConfigPointer(value: unknown): value is ConfigPointer {
  const p = value as Partial<ConfigPointer> | undefined;
  return (
    p?.schemaVersion === 1 &&
    typeof p.archiveKey === "string" &&
    typeof p.contentHash === "string" &&
    Array.isArray(p.files)
  );
}
