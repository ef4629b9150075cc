/**
 * `backup-catalog-rows-age-alarmed` (policies/rules/catalogRowsAgeAlarmed.ts): the prod plan broken
 * in the ways it guards against.
 */
import { Metric, renderInsightsQuery, type InsightsQuery } from "../../../infra/catalog";
import { remove, type MutableResource } from "../fixtures/plans";
import { perHostQuery, alarmsOn, describeMutations, type Case } from "../support/mutations";

/** Rewrites a per-host alarm's query, e.g. to make it watch another row. */
function rewriteQuery(alarm: MutableResource, change: (q: InsightsQuery) => InsightsQuery): void {
  alarm.inputs.metricQueries[0].expression = renderInsightsQuery(change(perHostQuery(alarm)!));
}

export const cases: Case[] = [
  {
    title: "the Redis age alarms are removed",
    fails: ["backup-catalog-rows-age-alarmed"],
    says: "catalog row 'redis' (Redis RDB) has no alarm on BackupAgeSeconds with BackupType=redis",
    mutate: (p) =>
      alarmsOn(p, [Metric.backupAgeSeconds], "BackupType", "redis").forEach((a) => remove(p, a)),
  },
  {
    title: "the WAL lag alarms watch another row",
    fails: ["backup-catalog-rows-age-alarmed"],
    says: "catalog row 'wal'",
    mutate: (p) =>
      alarmsOn(p, [Metric.walArchiveLagSeconds], "BackupType", "wal").forEach((a) =>
        rewriteQuery(a, (q) => ({ ...q, where: { ...q.where, BackupType: "postgres" } })),
      ),
  },
];

describeMutations(cases);
