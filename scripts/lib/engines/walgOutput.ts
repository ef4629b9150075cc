/**
 * Reading wal-g's output (v3.0.x): `backup-list --detail --json`, `st ls`, its LSNs and its error
 * lines. Pure: text in, values out; never a human table parsed for meaning it does not carry.
 */
import { JobError } from "../job/errors";
import { showArgv, type CommandResult } from "../job/exec";

/** One entry of `backup-list --detail --json` (wal-g v3.0.x BackupDetail). */
export interface ListedBackup {
  backup_name: string;
  wal_file_name: string;
  start_time: string;
  finish_time: string;
  start_lsn: number | string;
  finish_lsn: number | string;
  system_identifier?: number | string;
  uncompressed_size?: number;
  compressed_size?: number;
  user_data?: Record<string, unknown> | null;
}

/** One object of `st ls` (its table: type, size, last modified, name). */
export interface StoredObject {
  readonly name: string;
  readonly bytes: number;
  readonly modified: Date;
}

/** wal-g prints LSNs as numbers in JSON; PostgreSQL's form is `hi/lo` in hex. */
export function lsnText(lsn: number | string): string {
  if (typeof lsn === "string" && lsn.includes("/")) return lsn.toUpperCase();
  const n = BigInt(lsn);
  return `${(n >> 32n).toString(16).toUpperCase()}/${(n & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Reads `backup-list --detail --json` output; [] for an empty repository (wal-g prints nothing). */
export function parseBackupList(stdout: string): ListedBackup[] {
  const text = stdout.trim();
  if (text === "") return [];
  let parsed: unknown;
  try {
    // System identifiers and LSNs are 64-bit: read them as text, never through a double.
    parsed = JSON.parse(
      text.replace(/"(system_identifier|start_lsn|finish_lsn)":\s*(\d+)/g, '"$1":"$2"'),
    );
  } catch {
    throw new JobError("wal-g backup-list --json printed something that is not JSON");
  }
  if (!Array.isArray(parsed)) throw new JobError("wal-g backup-list --json did not print a list");
  return parsed as ListedBackup[];
}

/**
 * Reads `st ls` output (wal-g v3 storagetools: a tab-aligned table `type size last-modified name
 * [version-id [LATEST]]`, times as Go prints them: `2026-11-29 15:00:00.123 +0000 UTC`). Folders
 * are skipped. In a versioned bucket wal-g lists every version of an object that is not deleted
 * (pkg/storages/s3 ListFolder), the current one marked `LATEST`: only that one is what a restore
 * reads, so a name listed with versions keeps its `LATEST` row alone (and none when no row is).
 */
export function parseStorageListing(stdout: string): StoredObject[] {
  const rows: { object: StoredObject; version?: string; latest: boolean }[] = [];
  for (const line of stdout.split("\n")) {
    const m =
      /^obj\s+(\d+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) ([+-]\d{4}) \S+\s+(\S+)(?:\s+(\S+))?(?:\s+(\S+))?/.exec(
        line,
      );
    if (!m) continue;
    const [, size, time, offset, name, version, info] = m;
    const iso = `${time.replace(" ", "T").replace(/(\.\d{3})\d*/, "$1")}${offset.slice(0, 3)}:${offset.slice(3)}`;
    rows.push({
      object: { name, bytes: Number(size), modified: new Date(iso) },
      ...(version && version !== "LATEST" ? { version } : {}),
      latest: info === "LATEST" || version === "LATEST",
    });
  }
  const versioned = new Set(rows.filter((r) => r.version !== undefined).map((r) => r.object.name));
  return rows.filter((r) => !versioned.has(r.object.name) || r.latest).map((r) => r.object);
}

/** The segment an archived WAL object holds: `000000010000000000000003.lz4` → its name. */
export const SEGMENT_OBJECT = /^([0-9A-F]{24})(?:\.[a-z0-9]+)?$/;
export const HISTORY_OBJECT = /^([0-9A-F]{8})\.history(?:\.[a-z0-9]+)?$/;

/** wal-g's own error line (`ERROR: 2026/11/29 15:00:00.000000 message`), else the output's end. */
export function walgError(args: readonly string[], result: CommandResult): JobError {
  const lines = `${result.stderr}\n${result.stdout}`.split("\n").map((l) => l.trim());
  const error = lines
    .filter((l) => l.startsWith("ERROR:"))
    .map((l) => l.replace(/^ERROR:\s*(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d+\s+)?/, ""))
    .at(-1);
  const command = args.find((a) => !a.startsWith("-") && !a.includes("/")) ?? "";
  const text =
    error ??
    (lines
      .filter((l) => l !== "")
      .slice(-3)
      .join(" | ") ||
      "no output");
  return new JobError(
    `wal-g ${command} exited with code ${result.code}: ${text}`,
    `run 'wal-g ${showArgv(args)}' as the engine's OS user to see its whole output`,
  );
}
