/**
 * How old the newest usable PostgreSQL backup is, judged against a limit: one rule for pg-verify
 * (which fails on it) and the health check (which publishes it and pages through its alarm).
 * Age runs from when the backup stopped: it is restorable only from then on. A backup the engine
 * marked damaged is never counted, and never passed over in silence either: a damaged backup newer
 * than the newest good one is a problem of its own, named.
 */
import { describeSeconds } from "../../../infra/catalog";
import { backupChain } from "./backupChains";
import { damagedBackupMessage, damagedNewerThan } from "./damagedBackups";
import type { EngineBackup, Repository } from "../engines";
import { secondsBetween } from "../job/time";

export interface PostgresBackupAge {
  /** The newest backup the engine marked good; undefined when there is none. */
  readonly newest?: EngineBackup;
  readonly ageSeconds?: number;
  /** What is wrong, in words; undefined when a good backup is within the limit. */
  readonly problem?: string;
  /** Backups newer than `newest` that the engine marked damaged, oldest first. */
  readonly damaged: readonly EngineBackup[];
}

export function postgresBackupAge(
  backups: readonly EngineBackup[],
  now: Date,
  maxAgeSeconds: number,
  repository: Repository = "s3",
): PostgresBackupAge {
  // A differential or incremental counts only with its whole chain: without its full it restores nothing.
  const newest = backups.filter((b) => b.ok && backupChain(b, backups, repository).ok).at(-1);
  const damaged = damagedNewerThan(backups, newest);
  const where = repository === "s3" ? "" : `${repository} repository: `;
  const damage = damaged.map(
    (b) =>
      `${where}${damagedBackupMessage(b)} (not counted${newest ? `; the newest good backup is ${newest.name}` : ""})`,
  );
  if (!newest)
    return {
      problem: [
        `no ${damaged.length > 0 ? "good " : ""}PostgreSQL backup in the ${repository === "s3" ? "S3" : repository} repository: run pg-backup`,
        ...damage,
      ].join("; "),
      damaged,
    };
  const ageSeconds = secondsBetween(newest.stoppedAt, now);
  const problems = [
    ...(ageSeconds > maxAgeSeconds
      ? [
          `${where}the newest backup ${newest.name} stopped ${describeSeconds(ageSeconds)} ago, over the limit of ${describeSeconds(maxAgeSeconds)}`,
        ]
      : []),
    ...damage,
  ];
  return problems.length > 0
    ? { newest, ageSeconds, problem: problems.join("; "), damaged }
    : { newest, ageSeconds, damaged };
}
