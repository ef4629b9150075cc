/**
 * Newest backup per S3-backed row for one host, from S3's own object timestamps: what exists in
 * the bucket is the truth, not what a job believes it wrote. Read by the health check on a host
 * and by the console from a laptop.
 */
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { newestObject, type BackupStore, type StoredObject } from "./s3";

/** Rows whose objects the host plane names itself (postgres is the PostgreSQL engine's, wal is measured by the archiver). */
export const HOST_NAMED_ROWS = ["redis", "configs", "logs"] as const;
export type HostNamedRow = (typeof HOST_NAMED_ROWS)[number];

export interface RowAge {
  readonly row: HostNamedRow;
  readonly prefix: string;
  /** Undefined when the host has no backup of this row in the bucket. */
  readonly newest?: StoredObject;
  /** For configs: the pointer least recently confirmed, since every set must be current. */
  readonly detail?: string;
}

/**
 * The newest object of `row` under `<prefixes[row]><host>/` (for configs: the stalest set's
 * `latest.json`), by S3's LastModified. Throws the store's `JobError` when the listing fails.
 */
export async function rowAge(
  store: BackupStore,
  prefixes: HostConfig["s3Prefixes"],
  host: string,
  row: HostNamedRow,
): Promise<RowAge> {
  const prefix = `${prefixes[row]}${host}/`;
  switch (row) {
    case "redis":
      return {
        row,
        prefix,
        ...optional(newestObject((await store.list(prefix)).filter((o) => o.key.endsWith(".rdb")))),
      };
    case "configs": {
      // Every set's latest.json is rewritten by each config-backup run; the stalest one counts.
      const pointers = (await store.list(prefix)).filter((o) => o.key.endsWith("/latest.json"));
      const stalest = pointers.sort(
        (a, b) => a.lastModified.getTime() - b.lastModified.getTime(),
      )[0];
      return { row, prefix, ...optional(stalest), ...(stalest ? { detail: stalest.key } : {}) };
    }
    case "logs": {
      // Date folders sort by name; only the newest one needs listing.
      const days = await store.listFolders(prefix);
      const latestDay = days.at(-1);
      return {
        row,
        prefix,
        ...optional(latestDay ? newestObject(await store.list(latestDay)) : undefined),
      };
    }
    default: {
      const unreachable: never = row;
      throw new Error(`unknown row ${String(unreachable)}`);
    }
  }
}

function optional(newest: StoredObject | undefined): { newest?: StoredObject } {
  return newest ? { newest } : {};
}
