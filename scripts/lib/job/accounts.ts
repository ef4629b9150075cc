import { execFileSync } from "node:child_process";
import { JobError } from "./errors";

/** uid and gid of a system account such as `redis` or `postgres`. */
export function account(
  user: string,
  group?: string,
): { readonly uid: number; readonly gid: number } {
  try {
    const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
    const gid = group
      ? Number(execFileSync("getent", ["group", group], { encoding: "utf8" }).split(":")[2])
      : Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error("unparsable id output");
    return { uid, gid };
  } catch {
    throw new JobError(
      `system account '${user}${group ? `:${group}` : ""}' does not exist on this host`,
      "check redis.owner / the service's user in the host config",
    );
  }
}
