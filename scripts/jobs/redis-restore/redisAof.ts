/**
 * With the append-only file on, Redis loads the AOF at start and ignores the dump, so a restored
 * dump would be shadowed. redis-restore therefore starts Redis once with AOF off (in the managed
 * fragment), lets it load the dump, then turns AOF on at runtime (Redis rewrites the AOF from
 * memory) and only then puts the fragment back.
 */
import { JobError } from "../../lib/job/errors";
import { command, configGet, info, type RedisConnection } from "../../lib/redis/client";
import { waitFor } from "../../lib/job/time";

const APPENDONLY_YES = /^appendonly\s+yes\s*$/gm;

/** Whether the managed fragment turns AOF on (exactly one `appendonly yes` line). */
export function fragmentTurnsAofOn(text: string): boolean {
  return (text.match(APPENDONLY_YES) ?? []).length > 0;
}

/** The fragment with its `appendonly yes` line set to `no`; anything else is refused. */
export function withAofOff(text: string): string {
  const matches = text.match(APPENDONLY_YES) ?? [];
  if (matches.length !== 1) {
    throw new JobError(
      `the managed redis.conf fragment has ${matches.length} 'appendonly yes' lines, expected 1`,
      "reinstall it with the install document",
    );
  }
  return text.replace(APPENDONLY_YES, "appendonly no");
}

/** Where Redis keeps its AOF: a directory (7.0+, `appenddirname`) and/or a single file (before 7.0). */
export async function aofLocations(
  client: RedisConnection,
): Promise<{ readonly dirName?: string; readonly fileName: string }> {
  const dirName = await configGet(client, "appenddirname");
  return {
    ...(dirName ? { dirName } : {}),
    fileName: (await configGet(client, "appendfilename")) ?? "appendonly.aof",
  };
}

/** CONFIG SET appendonly yes, then wait until the AOF rewrite that follows has finished and succeeded. */
export async function enableAofAndWait(client: RedisConnection, timeoutMs: number): Promise<void> {
  await command(client, ["CONFIG", "SET", "appendonly", "yes"]);
  await waitFor(
    async () => {
      const p = await info(client, "persistence");
      const done =
        p.aof_enabled === "1" &&
        p.aof_rewrite_in_progress === "0" &&
        p.aof_rewrite_scheduled === "0";
      if (done && p.aof_last_bgrewrite_status === "err") {
        throw new JobError(
          "Redis could not write the new AOF (aof_last_bgrewrite_status:err)",
          "read the Redis log; the dump was loaded, AOF is not on",
        );
      }
      return done && p.aof_last_bgrewrite_status === "ok" ? true : undefined;
    },
    {
      timeoutMs,
      intervalMs: 200,
      onTimeout: () =>
        new JobError(
          `the AOF rewrite did not finish within ${Math.round(timeoutMs / 1000)} s`,
          "read the Redis log",
        ),
    },
  );
}
