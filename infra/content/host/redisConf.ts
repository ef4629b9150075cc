/**
 * The managed redis.conf fragment: the runbook's save points and dump location, and whether the
 * append-only file is on. Pure: a function of the host config, exact text out. redis.conf ends
 * with `include` of it (host config `redis.managedConfigFile`), so these settings win.
 */
import type { HostConfig } from "../../catalog/hostConfig";
import { managedHeader, renderSettings, type ManagedSetting } from "./postgresConf";

/** The runbook's save points: [seconds, changes]. */
export const RUNBOOK_SAVE_POINTS: readonly (readonly [number, number])[] = [
  [900, 1],
  [300, 10],
  [60, 10000],
];

/**
 * `applyBy` says how a running Redis (7.x) takes each setting: `reload` ones with CONFIG SET;
 * `dir` and `dbfilename` are protected configs and `rdbchecksum` is immutable, so they need a
 * restart. apply-config asks Redis itself rather than trusting these tags.
 */
export function redisSettings(host: HostConfig): ManagedSetting[] {
  const redis = host.redis;
  return [
    {
      name: "save",
      value: '""',
      applyBy: "reload",
      why: "Clears save points set earlier in redis.conf: the next lines are then the only ones.",
    },
    ...RUNBOOK_SAVE_POINTS.map(([seconds, changes]) => ({
      name: "save",
      value: `${seconds} ${changes}`,
      applyBy: "reload" as const,
      why: `Runbook save point: dump after ${seconds} s if at least ${changes} key(s) changed.`,
    })),
    {
      name: "dir",
      value: redis.dir,
      applyBy: "restart",
      why: "Where the dump is written; redis-backup copies it from here and redis-restore puts it back.",
    },
    {
      name: "dbfilename",
      value: redis.dbfilename,
      applyBy: "restart",
      why: "The dump's file name.",
    },
    {
      name: "rdbchecksum",
      value: "yes",
      applyBy: "restart",
      why: "A checksum at the end of the dump lets redis-backup prove the copy is whole (redis-check-rdb).",
    },
    {
      name: "appendonly",
      value: redis.appendonly ? "yes" : "no",
      applyBy: "reload",
      why: redis.appendonly
        ? "AOF on: at start Redis loads the AOF, not the dump; redis-restore turns it off while it loads a dump."
        : "AOF off: the runbook relies on dumps, so at start Redis loads the dump.",
    },
  ];
}

export function redisConf(host: HostConfig): string {
  return renderSettings(
    managedHeader(host.stack, "redis.conf fragment: save points and dump location for backups."),
    redisSettings(host),
    (s) => `${s.name} ${s.value}`,
  );
}
