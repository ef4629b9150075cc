/**
 * A Redis server run as the `redis` user, on 127.0.0.1 and a free port, from a small sandbox
 * redis.conf that includes the RENDERED fragment last (as the installer arranges on a host).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HostConfig, ServiceControl } from "../../infra/catalog/hostConfig";
import { redisConf } from "../../infra/content/host/redisConf";
import { runChecked, runCommand } from "../lib/job/exec";
import { waitFor } from "../lib/job/time";
import { requireTool } from "./tools";

export interface SandboxRedisLayout {
  readonly port: number;
  /** The sandbox's own redis.conf (the host's main file), which includes the managed fragment. */
  readonly mainConfigFile: string;
}

/** runuser + redis-server / redis-cli: the sandbox's stand-in for `systemctl … redis-server`. */
export function redisService(layout: SandboxRedisLayout): ServiceControl {
  const cli = `redis-cli -h 127.0.0.1 -p ${layout.port}`;
  const start = ["runuser", "-u", "redis", "--", "redis-server", layout.mainConfigFile];
  // Redis has no reload; restart waits until the old server stops answering before starting.
  const restart = [
    "bash",
    "-c",
    `${cli} shutdown >/dev/null 2>&1; while ${cli} ping >/dev/null 2>&1; do sleep 0.1; done; exec runuser -u redis -- redis-server ${layout.mainConfigFile}`,
  ];
  return {
    start,
    stop: ["redis-cli", "-h", "127.0.0.1", "-p", String(layout.port), "shutdown"],
    restart,
    reload: restart,
    status: ["redis-cli", "-h", "127.0.0.1", "-p", String(layout.port), "ping"],
  };
}

export function sandboxMainRedisConf(host: HostConfig, runDir: string, logFile: string): string {
  return [
    "# stellar-insights-backup sandbox: what a host's /etc/redis/redis.conf sets, then the managed fragment.",
    "bind 127.0.0.1",
    `port ${host.redis.port}`,
    "protected-mode yes",
    "daemonize yes",
    `pidfile ${join(runDir, "redis.pid")}`,
    `logfile ${logFile}`,
    `include ${host.redis.managedConfigFile}`,
    "",
  ].join("\n");
}

export interface SandboxRedis {
  readonly port: number;
  stop(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  const result = await runCommand(["redis-cli", "-h", "127.0.0.1", "-p", String(port), "ping"], {
    timeoutMs: 5000,
  });
  return result.code === 0 && result.stdout.trim() === "PONG";
}

export async function startRedis(
  host: HostConfig,
  layout: SandboxRedisLayout & { readonly runDir: string; readonly logFile: string },
): Promise<SandboxRedis> {
  requireTool("redis-server");
  requireTool("redis-cli");
  requireTool("redis-check-rdb");
  writeFileSync(host.redis.managedConfigFile, redisConf(host), { mode: 0o644 });
  writeFileSync(layout.mainConfigFile, sandboxMainRedisConf(host, layout.runDir, layout.logFile), {
    mode: 0o644,
  });
  await runChecked(host.redis.service.start, { timeoutMs: 30_000 });
  await waitFor(async () => ((await answers(layout.port)) ? true : undefined), {
    timeoutMs: 15_000,
    onTimeout: () =>
      new Error(`sandbox Redis did not answer on 127.0.0.1:${layout.port}; see ${layout.logFile}`),
  });
  return {
    port: layout.port,
    stop: async () => {
      if (await answers(layout.port)) {
        await runCommand(
          ["redis-cli", "-h", "127.0.0.1", "-p", String(layout.port), "shutdown", "nosave"],
          { timeoutMs: 10_000 },
        );
      }
    },
  };
}
