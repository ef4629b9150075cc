/**
 * How old the newest usable PostgreSQL backup is, judged against a limit: one rule for pg-verify
 * (which fails on it) and the health check (which publishes it and pages through its alarm).
 * Age runs from when the backup stopped: it is restorable only from then on.
 */
import { describeSeconds } from "../../infra/catalog";
import type { EngineBackup, Repository } from "./engines";
import { secondsBetween } from "./time";

export interface PostgresBackupAge {
  /** The newest backup the engine marked good; undefined when there is none. */
  readonly newest?: EngineBackup;
  readonly ageSeconds?: number;
  /** What is wrong, in words; undefined when a good backup is within the limit. */
  readonly problem?: string;
}

export function postgresBackupAge(
  backups: readonly EngineBackup[],
  now: Date,
  maxAgeSeconds: number,
  repository: Repository = "s3",
): PostgresBackupAge {
  const newest = backups.filter((b) => b.ok).at(-1);
  if (!newest)
    return {
      problem: `no PostgreSQL backup in the ${repository === "s3" ? "S3" : repository} repository: run pg-backup`,
    };
  const ageSeconds = secondsBetween(newest.stoppedAt, now);
  return ageSeconds > maxAgeSeconds
    ? {
        newest,
        ageSeconds,
        problem: `${repository === "s3" ? "" : `${repository} repository: `}the newest backup ${newest.name} stopped ${describeSeconds(ageSeconds)} ago, over the limit of ${describeSeconds(maxAgeSeconds)}`,
      }
    : { newest, ageSeconds };
}
