/**
 * Where pg-backup reads the cluster's files: the primary (the runbook's way, and the default), or a
 * streaming standby of it, so the primary carries none of the backup's reads. The primary's host
 * runs the backup either way (its repository, its schedule); with a standby, the engine reads the
 * data files from the standby and asks the primary only for the backup's start and stop (each
 * adapter's `BackupRequest.standby`).
 *
 * The host config's `postgres.backupFrom` names the standby; absent, the primary is read. Before
 * each backup the job checks that the standby is up, in recovery, of the same cluster (system
 * identifier) and no more than `maxReplayLagMb` of WAL behind the primary; when it is not,
 * `whenStandbyUnavailable` decides: `primary` backs up from the primary and says why in the log
 * and the summary, `fail` refuses the run (the job fails and pages) with nothing backed up.
 *
 * Pure module: no Pulumi import, so host jobs can bundle it.
 */

/** What a run does when the standby cannot be read from. */
export const STANDBY_FALLBACKS = ["primary", "fail"] as const;
export type StandbyFallback = (typeof STANDBY_FALLBACKS)[number];

/**
 * WAL the standby may still have to replay, in MiB, when the stack does not say: four 16 MiB
 * segments. A streaming standby is normally less than one segment behind; one further back is
 * stalled or disconnected, and its copy would start from an old point.
 */
export const DEFAULT_MAX_REPLAY_LAG_MB = 64;

/** The most a bound may be: 1 TiB of WAL. */
export const MAX_REPLAY_LAG_MB = 1_048_576;

/** The standby a backup reads from, on the host that runs pg-backup. */
export interface StandbyCluster {
  readonly pgData: string;
  readonly port: number;
  /** The Unix socket directory the engine and the job connect through. */
  readonly socketDir: string;
}

export interface StandbyBackupSource {
  readonly standby: StandbyCluster;
  /** MiB of WAL the standby may be behind the primary's current position; past it, unavailable. */
  readonly maxReplayLagMb: number;
  readonly whenStandbyUnavailable: StandbyFallback;
}
