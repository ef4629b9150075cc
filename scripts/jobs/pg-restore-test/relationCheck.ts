/**
 * Reads every relation of every database of a restored throwaway cluster, with page checksums
 * verified: PostgreSQL 15's `pg_amcheck --all` runs amcheck's `verify_heapam` on every table
 * (TOAST included) and `bt_index_check` on every B-tree index. Each page is read through the
 * buffer manager, which checks its checksum (PostgreSQL docs 30.2; `ignore_checksum_failure` is off
 * unless set), so a damaged page anywhere fails it, named by relation and block, not only a damaged
 * check table. Other index kinds are not read: pg_amcheck 15 checks heap and B-tree only.
 */
import { join } from "node:path";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { JobError } from "../../lib/job/errors";
import { runCommand, showArgv } from "../../lib/job/exec";
import type { ThrowawayCluster } from "../../lib/postgres/throwawayCluster";
import { monotonicNow, secondsSince } from "../../lib/job/time";

/** How long one full read took, in seconds. */
export interface RelationCheck {
  readonly seconds: number;
}

/**
 * Runs `pg_amcheck --all --install-missing` against `cluster` (the amcheck extension is created
 * where missing: the cluster is a throwaway). Resolves when nothing is damaged; throws a `JobError`
 * quoting pg_amcheck's findings (relation, block, what is wrong) when anything is, or when it does
 * not finish within `timeoutMs` (the restore test's stated budget for the full read).
 */
export async function checkEveryRelation(
  config: HostConfig,
  cluster: ThrowawayCluster,
  timeoutMs: number,
): Promise<RelationCheck> {
  const argv = [
    join(config.postgres.binDir, "pg_amcheck"),
    "--all",
    "--install-missing",
    "--no-password",
    `--host=${cluster.socketDir}`,
    `--port=${cluster.port}`,
    `--username=${config.postgres.connection.user}`,
    "--jobs=2",
  ];
  const started = monotonicNow();
  const result = await runCommand(argv, { timeoutMs });
  const seconds = Math.round(secondsSince(started));
  if (result.code === 0) return { seconds };
  const findings = `${result.stdout}\n${result.stderr}`
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^query was:/.test(l));
  throw new JobError(
    `reading every relation of the restored cluster found damage (pg_amcheck exited with code ${result.code}): ${findings.slice(0, 20).join(" | ")}${findings.length > 20 ? ` | … ${findings.length - 20} more line(s)` : ""}`,
    `the backup holds damaged pages in the relations named: keep it, run '${showArgv(argv.slice(0, 2))}' on the production cluster, and take a fresh pg-backup once the damage is repaired`,
  );
}
