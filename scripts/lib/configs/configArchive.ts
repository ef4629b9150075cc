/**
 * Config sets as archives: the set's files are first copied into a staging dir (one consistent
 * snapshot), described by a manifest (path, mode, owner, size, SHA-256; never contents), hashed
 * (the content hash decides whether anything changed), and packed with tar. Restores list the
 * archive first and refuse any member that is not one of the set's files.
 */
import { promises as fs } from "node:fs";
import { dirname, join } from "node:path";
import { sortKeys } from "../../../infra/catalog/stableJson";
import { JobError } from "../job/errors";
import { runChecked } from "../job/exec";
import { sha256Hex } from "../../../infra/catalog/sha256";
import { sha256File } from "../files/hash";

export type ManifestEntry =
  | {
      readonly path: string;
      readonly present: true;
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
      readonly size: number;
      readonly sha256: string;
    }
  | { readonly path: string; readonly present: false };

export type PresentEntry = Extract<ManifestEntry, { present: true }>;

/** `/etc/nginx/x` → `etc/nginx/x`: archive members are relative to `/`. */
export function memberName(path: string): string {
  return path.replace(/^\/+/, "");
}

/**
 * Copies each file (following symlinks) into `staging/<path>` with its mode and owner, and
 * returns the manifest in the set's order. A missing file is recorded as absent.
 */
export async function stageFiles(
  paths: readonly string[],
  staging: string,
): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = await fs.stat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        entries.push({ path, present: false });
        continue;
      }
      throw error;
    }
    if (!stat.isFile())
      throw new JobError(`${path} is not a regular file; config sets hold files only`);
    const copy = join(staging, memberName(path));
    await fs.mkdir(dirname(copy), { recursive: true, mode: 0o700 });
    await fs.copyFile(path, copy);
    await fs.chmod(copy, stat.mode & 0o7777);
    await fs.chown(copy, stat.uid, stat.gid);
    const { sha256, bytes } = await sha256File(copy);
    entries.push({
      path,
      present: true,
      mode: stat.mode & 0o7777,
      uid: stat.uid,
      gid: stat.gid,
      size: bytes,
      sha256,
    });
  }
  return entries;
}

/** What decides "changed": every file's path, presence, mode, owner and SHA-256. */
export function contentHash(entries: readonly ManifestEntry[]): string {
  return sha256Hex(JSON.stringify(sortKeys(entries)));
}

export async function createArchive(
  staging: string,
  entries: readonly ManifestEntry[],
  archive: string,
): Promise<void> {
  const members = entries.filter((e) => e.present).map((e) => memberName(e.path));
  await runChecked(
    [
      "tar",
      "--create",
      "--gzip",
      "--numeric-owner",
      "--file",
      archive,
      "--directory",
      staging,
      "--",
      ...members,
    ],
    {
      timeoutMs: 10 * 60_000,
    },
  );
}

/** The archive's regular-file member names as tar lists them, unchecked. */
export async function archiveMembers(archive: string): Promise<string[]> {
  const { stdout } = await runChecked(["tar", "--list", "--gzip", "--file", archive], {
    timeoutMs: 10 * 60_000,
  });
  return stdout.split("\n").filter((m) => m !== "" && !m.endsWith("/"));
}

/** The archive's regular-file members; refuses absolute paths, `..` and anything not in `allowed`. */
export async function listArchive(
  archive: string,
  allowedPaths: readonly string[],
): Promise<string[]> {
  const allowed = new Set(allowedPaths.map(memberName));
  const members = await archiveMembers(archive);
  const bad = members.filter(
    (m) => m.startsWith("/") || m.split("/").includes("..") || !allowed.has(m),
  );
  if (bad.length > 0) {
    throw new JobError(
      `the archive holds files outside the config set: ${bad.join(", ")}`,
      "nothing was changed; the archive is not one config-backup wrote for this set",
    );
  }
  return members;
}

export async function extractArchive(
  archive: string,
  staging: string,
  members: readonly string[],
): Promise<void> {
  await runChecked(
    [
      "tar",
      "--extract",
      "--gzip",
      "--numeric-owner",
      "--same-owner",
      "--same-permissions",
      "--file",
      archive,
      "--directory",
      staging,
      "--",
      ...members,
    ],
    { timeoutMs: 10 * 60_000 },
  );
}

/** Names of config-backup's local copies under `local.root/configs/` (pruned by their UTC stamp). */
export const LOCAL_ARCHIVE_PATTERN = /^[a-z][a-z0-9-]*-configs-\d{8}T\d{6}Z-[0-9a-f]{12}\.tar\.gz$/;
