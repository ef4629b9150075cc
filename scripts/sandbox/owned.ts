import { chownSync, mkdirSync } from "node:fs";
import { account } from "../lib/job/accounts";

/** A directory owned by `user`, so a service running as that user can write there. */
export function ownedDir(path: string, user: string, mode = 0o750): string {
  mkdirSync(path, { recursive: true, mode });
  const { uid, gid } = account(user);
  chownSync(path, uid, gid);
  return path;
}
