/**
 * What PostgreSQL's control file says about this host's cluster, read with `pg_controldata`: it
 * answers whether PostgreSQL runs or not, so a job that must know whose repository it is about to
 * change can ask before it changes anything.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { JobError } from "../job/errors";
import { runCommand } from "../job/exec";
import { DEFAULT_WAL_SEGMENT_BYTES } from "./walSegments";

export interface ControlData {
  /** The cluster's system identifier (set by initdb), as digits: it does not fit a double. */
  readonly systemIdentifier: string;
  /** `wal_segment_size` in bytes: a power of two from 1 MiB to 1 GiB (`initdb --wal-segsize`). */
  readonly walSegmentBytes: number;
}

/**
 * Reads `pg_controldata <pgData>` (PostgreSQL 15 docs, pg_controldata: "Database system
 * identifier", "Bytes per WAL segment"). Throws a `JobError` naming the data directory when there
 * is no cluster there or the tool fails.
 */
export async function readControlData(config: HostConfig): Promise<ControlData> {
  const { binDir, pgData } = config.postgres;
  const tool = join(binDir, "pg_controldata");
  const result = await runCommand([tool, pgData], {
    timeoutMs: 60_000,
    env: { ...process.env, LC_ALL: "C" },
  });
  const field = (label: string) =>
    new RegExp(`^${label}:\\s*(\\d+)\\s*$`, "m").exec(result.stdout)?.[1];
  const systemIdentifier = field("Database system identifier");
  const segment = field("Bytes per WAL segment");
  if (result.code !== 0 || !systemIdentifier || !segment)
    throw new JobError(
      `cannot read the control file of the PostgreSQL cluster in ${pgData} ('${tool} ${pgData}' exited with code ${result.code}: ${(result.stderr || result.stdout).trim().split("\n").slice(-2).join(" | ") || "no output"})`,
      "nothing was changed: a repository is written only once this host's cluster (its system identifier) is known; check postgres.pgData and postgres.binDir in the host config",
    );
  return { systemIdentifier, walSegmentBytes: Number(segment) };
}

/** Where a segment size came from: the cluster's control file, or PostgreSQL's default. */
export interface SegmentSize {
  readonly bytes: number;
  /** False when the data directory holds no cluster (a host rebuilt to be restored onto). */
  readonly fromControlFile: boolean;
}

/**
 * This host's `wal_segment_size` in bytes: pg_control's when `postgres.pgData` holds a cluster
 * (`global/pg_control` exists), PostgreSQL's default of 16 MiB when it holds none, so a restore
 * onto an empty host can still be planned; a repository written with another size is then refused
 * by the engine by name, never read wrongly in silence. Throws (`readControlData`) when the
 * control file exists but cannot be read.
 */
export async function clusterSegmentSize(config: HostConfig): Promise<SegmentSize> {
  if (!existsSync(join(config.postgres.pgData, "global", "pg_control")))
    return { bytes: DEFAULT_WAL_SEGMENT_BYTES, fromControlFile: false };
  return { bytes: (await readControlData(config)).walSegmentBytes, fromControlFile: true };
}
