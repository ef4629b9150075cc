/**
 * Makes a running Redis use the managed redis.conf fragment:
 * - the main config file (the one Redis says it was started from, INFO `config_file`) must
 *   include the fragment, last, so a restart keeps the values. Debian's stock redis.conf has no
 *   include, so one is appended when missing: written atomically, the original kept beside it;
 * - the values are applied to the running server with CONFIG SET (only those that differ, so a
 *   second run sends none); Redis itself says which it cannot change live ("immutable" or
 *   "protected" config), and only those cost a restart;
 * - CONFIG GET afterwards must show every value of the fragment.
 *
 * `dir` and `dbfilename` are protected in Redis 7: changing them by restart would start Redis
 * from an empty dataset at the new place (the dump stays at the old one), so that is refused with
 * the steps to move the data instead.
 */
import { promises as fs, realpathSync } from "node:fs";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { copyFileAtomic, exists, writeFileAtomic } from "../../lib/files/atomicFile";
import { JobError, errorMessage } from "../../lib/job/errors";
import type { Logger } from "../../lib/job/log";
import {
  appliedReport,
  readFragment,
  restartAndReconnect,
  settingChanges,
  type ApplyReport,
} from "./managedConfig";
import { command, connectRedis, info, type RedisConnection } from "../../lib/redis/client";
import {
  includeOf,
  overridesAfter,
  parseRedisConf,
  runtimeSettings,
  withInclude,
} from "./redisConfFile";
import { isRunning } from "../../lib/job/service";
import { utcStamp } from "../../lib/job/time";
import { siblingPath } from "../../lib/files/siblingPath";

/** Jobs a Redis restart would break mid-run. */
const RESTART_GUARDED_JOBS = ["redis-backup", "redis-restore"] as const;
/** Settings that say where the data is: a restart that changes them loses sight of the data. */
const LOCATION_SETTINGS: ReadonlySet<string> = new Set(["dir", "dbfilename", "appenddirname"]);
const NOT_LIVE = /can't set (immutable|protected) config/i;

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Values as CONFIG GET shows them: single blanks, yes/no lower-case, `dir` resolved (Redis chdirs). */
function normalised(name: string, value: string): string {
  const v = value.trim().replace(/\s+/g, " ");
  if (name === "dir") return realpathOr(v);
  return /^(yes|no)$/i.test(v) ? v.toLowerCase() : v;
}

async function configValues(
  client: RedisConnection,
  names: readonly string[],
): Promise<Map<string, string>> {
  const reply = await command(client, ["CONFIG", "GET", ...names]);
  const values = new Map<string, string>();
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2)
      values.set(String(reply[i]), String(reply[i + 1]));
  } else if (reply instanceof Map) {
    for (const [k, v] of reply) values.set(String(k), String(v));
  } else if (reply !== null && typeof reply === "object") {
    for (const [k, v] of Object.entries(reply)) values.set(k, String(v));
  }
  return values;
}

/** `<file>.before-stellar-include.<stamp>`, never over an earlier copy. */
async function asidePath(file: string): Promise<string> {
  const base = siblingPath(file, `.before-stellar-include.${utcStamp(new Date())}`);
  let path = base;
  for (let n = 1; await exists(path); n++) path = `${base}.${n}`;
  return path;
}

/** Makes sure `mainConf` includes `fragment` with nothing after it overriding `names`. */
async function ensureInclude(
  mainConf: string,
  fragment: string,
  names: ReadonlySet<string>,
  log: Logger,
): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(mainConf, "utf8");
  } catch (error) {
    throw new JobError(`cannot read Redis's config file ${mainConf}: ${errorMessage(error)}`);
  }
  let directives;
  try {
    directives = parseRedisConf(text);
  } catch (error) {
    throw new JobError(`cannot parse Redis's config file ${mainConf}: ${errorMessage(error)}`);
  }
  const target = realpathOr(fragment);
  const include = includeOf(
    directives,
    fragment,
    (a) => a === fragment || realpathOr(a) === target,
  );
  if (include) {
    const later = overridesAfter(directives, include, names);
    if (later.length > 0) {
      throw new JobError(
        `${mainConf} sets ${later.map((d) => `${d.name} (line ${d.line})`).join(", ")} after including the managed fragment (line ${include.line}), so Redis would start with those values instead`,
        "remove those lines, or move the include to the end of the file",
      );
    }
    log.info("Redis's config file includes the managed fragment", {
      file: mainConf,
      line: include.line,
    });
    return;
  }
  const stat = await fs.stat(mainConf);
  const own = { mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid };
  const aside = await asidePath(mainConf);
  await copyFileAtomic(mainConf, aside, own);
  await writeFileAtomic(mainConf, withInclude(text, fragment), own);
  log.info("added an include of the managed fragment at the end of Redis's config file", {
    file: mainConf,
    include: fragment,
    originalKeptAt: aside,
  });
}

export async function applyRedisConf(config: HostConfig, log: Logger): Promise<ApplyReport> {
  const redis = config.redis;
  const fragment = redis.managedConfigFile;
  if (!(await isRunning(redis.service))) {
    log.info(
      "Redis is not running: nothing to apply now; its config file is checked for the include when it runs",
      { fragment },
    );
    return { service: "Redis", outcome: "not-running", appliedLive: [], restartedFor: [] };
  }
  const text = await readFragment(fragment, "redis.conf");
  let desired: Map<string, string>;
  try {
    desired = runtimeSettings(parseRedisConf(text));
  } catch (error) {
    throw new JobError(
      `cannot parse the managed fragment ${fragment}: ${errorMessage(error)}`,
      "reinstall it with the install document",
    );
  }
  const names = [...desired.keys()];
  const wanted = (n: string) => normalised(n, desired.get(n) as string);

  let client = await connectRedis(config);
  try {
    const server = await info(client, "server");
    const mainConf = server.config_file;
    if (!mainConf) {
      throw new JobError(
        "Redis was started without a config file: nothing it reads at start can include the managed fragment",
        "start Redis from its redis.conf (Debian: /etc/redis/redis.conf), then run the install document again",
      );
    }
    await ensureInclude(mainConf, fragment, new Set(names), log);

    const live = await configValues(client, names);
    const unknown = names.filter((n) => !live.has(n));
    if (unknown.length > 0) {
      throw new JobError(
        `Redis ${server.redis_version ?? ""} has no runtime setting ${unknown.join(", ")} (from ${fragment})`,
        "the fragment was rendered for another Redis version; check the stack's redis settings",
      );
    }
    const differing = names.filter((n) => normalised(n, live.get(n) as string) !== wanted(n));
    const appliedLive: string[] = [];
    const restartFor: string[] = [];
    for (const name of differing) {
      const value = desired.get(name) as string;
      try {
        await command(client, ["CONFIG", "SET", name, value]);
        appliedLive.push(name);
      } catch (error) {
        if (!NOT_LIVE.test(errorMessage(error))) {
          throw new JobError(
            `Redis refused CONFIG SET ${name} ${JSON.stringify(value)}: ${errorMessage(error)}`,
            "fix the value in the stack; Redis keeps its previous one",
          );
        }
        restartFor.push(name);
      }
    }
    if (appliedLive.length > 0) {
      log.info("applied without a restart (CONFIG SET)", {
        changed: appliedLive.map((n) => ({ name: n, from: live.get(n), to: desired.get(n) })),
      });
    }

    if (restartFor.length > 0) {
      const moving = restartFor.filter((n) => LOCATION_SETTINGS.has(n));
      if (moving.length > 0) {
        throw new JobError(
          `Redis cannot change ${moving.map((n) => `${n} ('${live.get(n)}' -> '${desired.get(n)}')`).join(", ")} while running, and a restart would start it from an empty dataset at the new place; nothing was restarted`,
          `move the data yourself: stop Redis, copy its dump (and appendonly dir) to the new place owned by ${redis.owner.user}:${redis.owner.group}, start it, then run the install document again. Until then any restart of Redis starts it empty`,
        );
      }
      log.warn("Redis cannot change these settings while running: it will be restarted", {
        settings: settingChanges(restartFor, live, desired),
      });
      const old = client;
      client = await restartAndReconnect(
        "Redis",
        redis.service,
        { lockDir: config.paths.lockDir, jobs: RESTART_GUARDED_JOBS },
        restartFor,
        {
          close: async () => old.destroy(),
          connect: () => connectRedis(config),
          identity: async (c) => String((await info(c, "server")).run_id),
          field: "runId",
          unchanged: (runId) => `Redis still has run_id ${runId}`,
          serviceKey: "redis.service",
        },
        String(server.run_id),
        log,
      );
    }

    const now = await configValues(client, names);
    const wrong = names.filter((n) => normalised(n, now.get(n) ?? "") !== wanted(n));
    if (wrong.length > 0) {
      throw new JobError(
        `Redis does not run the managed values: ${wrong.map((n) => `${n} is '${now.get(n)}', the fragment says '${desired.get(n)}'`).join("; ")}`,
        "read the Redis log",
      );
    }
    return appliedReport("Redis", log, appliedLive, restartFor);
  } finally {
    client.destroy();
  }
}
