/**
 * Timelines in this cluster's repository that the cluster never had: WAL a promoted copy of the
 * cluster archived there (restored elsewhere with these archive settings). pg-verify fails on
 * them and the health check reports them critical, each naming the timeline and its first segment.
 */
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { clusterTimeline } from "./clusterTimeline";
import { clusterSegmentSize } from "./controlData";
import type { EngineBackup, PostgresEngineAdapter, Repository, VerifyProblem } from "../engines";
import { productionTimeline, strayTimelineProblem, strayTimelines } from "../engines/walHistory";

/**
 * One problem per stray timeline in `repository` of host `hostId`, judged against the running
 * cluster's timeline (else the newest through the newest of `backups`, the repository's listing,
 * oldest first);
 * [] when there is none. Throws what the engine throws when the repository cannot be listed.
 */
export async function strayTimelineProblems(
  config: HostConfig,
  engine: PostgresEngineAdapter,
  hostId: string,
  repository: Repository,
  backups: readonly EngineBackup[],
): Promise<VerifyProblem[]> {
  const timelines = await engine.timelines({ repository, host: hostId });
  if (timelines.length <= 1) return [];
  const production = productionTimeline(
    await clusterTimeline(config),
    backups,
    timelines,
    (await clusterSegmentSize(config)).bytes,
  );
  return strayTimelines(production.timeline, timelines).map((t) =>
    strayTimelineProblem(t, production),
  );
}
