/**
 * config-backup: archives each config set (runbook: app .env files and nginx site; postgresql.conf,
 * pg_hba.conf, redis.conf) and uploads it only when its content hash changed, then points the set's
 * `latest.json` at it. File contents are never logged: only paths, sizes and hashes.
 *
 * An unchanged set is re-uploaded once it is half its retention old, so S3 lifecycle never expires
 * the only copy of configuration that simply did not change. Each set also has a local copy of its
 * current content under the local root, written even when S3 is down; the run fails if either
 * location failed. A set with a file missing is not archived at all and fails the run, so that
 * `latest` always names an archive holding every file of the set.
 *
 * Parameters: JOB_PARAMETERS in infra/catalog/jobParameters.ts (`--help` lists them).
 */
import { promises as fs } from "node:fs";
import { basename, join } from "node:path";
import { Metric } from "../../infra/catalog";
import { copyFileAtomic } from "../lib/files/atomicFile";
import {
  contentHash,
  createArchive,
  LOCAL_ARCHIVE_PATTERN,
  stageFiles,
  type ManifestEntry,
} from "../lib/configs/configArchive";
import {
  archiveKey,
  isConfigPointer,
  pointerKey,
  type ConfigPointer,
} from "../lib/configs/configPointer";
import { JobError, errorMessage } from "../lib/job/errors";
import { makeWorkDir, removeLeftovers } from "../lib/files/leftovers";
import { localCopyDir, localRoom, pruneLocalCopies } from "../lib/storage/localCopies";
import { SealedObjects } from "../lib/storage/sealedObjects";
import type { JobUsage } from "../lib/job/jobCommand";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";
import { utcStamp } from "../lib/job/time";
import { TwoLocations, localCopyError, localRoomRefusal } from "../lib/storage/twoLocations";
import { JOB_PARAMETERS, parameterUsage } from "../../infra/catalog/jobParameters";

const PARAMETERS = JOB_PARAMETERS["config-backup"];

/** `<set>-configs-<UTC stamp>-<content hash 12>.tar.gz`: two changes within one second never collide. */

type SetResult = {
  readonly set: string;
  readonly uploadedBytes: number;
  readonly outcome: string;
  /** The name of the set's local copy of its current content, when there is one. */
  readonly localCopy?: string;
};

async function backupSet(ctx: JobContext, set: string, work: string): Promise<SetResult> {
  const { config } = ctx;
  const staging = join(work, set, "files");
  const entries: ManifestEntry[] = await stageFiles(config.configSets[set].paths, staging);
  const present = entries.filter((e) => e.present);
  const missing = entries.filter((e) => !e.present).map((e) => e.path);
  if (present.length === 0) {
    throw new JobError(
      `config set '${set}': none of its ${entries.length} files exist on this host (${missing.join(", ")})`,
      "fix configSets in the stack, or the host",
    );
  }
  // An archive without one of the set's files would become `latest`, and a restore of `latest`
  // could no longer bring that file back: a set is archived whole or not at all.
  if (missing.length > 0) {
    throw new JobError(
      `config set '${set}': ${missing.length} of its ${entries.length} files are missing on this host (${missing.join(", ")}); not archived, so latest.json still names the last complete archive`,
      `put the file back (config-restore SET=${set} restores it), or remove it from configSets in the stack if it was retired on purpose`,
    );
  }
  const hash = contentHash(entries);
  const now = new Date();
  const stamp = utcStamp(now);
  let archive: string | undefined;
  const archived = async (): Promise<string> => {
    if (archive === undefined) {
      const path = join(work, set, `${set}-configs-${stamp}.tar.gz`);
      await createArchive(staging, entries, path);
      archive = path;
    }
    return archive;
  };
  const copies = new TwoLocations(`config set '${set}'`);
  const offSite = await copies.attempt("off-site copy", () =>
    offSiteCopy(ctx, set, entries, hash, now, archived),
  );
  const local = await copies.attempt("local copy", () =>
    localCopy(ctx, set, hash, stamp, archived),
  );
  copies.throwIfAny();
  return {
    set,
    uploadedBytes: offSite?.uploadedBytes ?? 0,
    outcome: `${offSite?.outcome}${local?.written ? ", local copy written" : ""}`,
    ...(local ? { localCopy: local.name } : {}),
  };
}

/** Uploads the archive when the content changed (or is due a refresh) and moves latest.json. */
async function offSiteCopy(
  ctx: JobContext,
  set: string,
  entries: readonly ManifestEntry[],
  hash: string,
  now: Date,
  archived: () => Promise<string>,
): Promise<{ readonly uploadedBytes: number; readonly outcome: string }> {
  const { config, log } = ctx;
  const store = ctx.store();
  const present = entries.filter((e) => e.present);
  const key = pointerKey(config.s3Prefixes.configs, ctx.hostId, set);
  const existing = await store.getJson<unknown>(key);
  const previous = existing && isConfigPointer(existing.value) ? existing.value : undefined;
  const refreshMs = (config.retentionDays.configs / 2) * 86_400_000;
  // An archive "created" after now was stamped by a clock that ran fast (or this one was set
  // back): its true age is unknown, and S3 expires it by its own clock, so it is refreshed.
  const ageMs = previous !== undefined ? now.getTime() - Date.parse(previous.createdAt) : NaN;
  const fresh = ageMs >= 0 && ageMs < refreshMs;

  if (previous?.contentHash === hash && fresh) {
    await store.putJson(key, { ...previous, checkedAt: now.toISOString() } satisfies ConfigPointer);
    log.info("unchanged since the last archive; not uploaded", {
      set,
      contentHash: hash,
      archive: previous.archiveKey,
      files: present.length,
    });
    return { uploadedBytes: 0, outcome: "unchanged" };
  }

  const objectKey = archiveKey(config.s3Prefixes.configs, ctx.hostId, set, utcStamp(now), hash);
  // The archive holds .env secrets: encrypted on the host when the stack asks for it.
  const uploaded = await new SealedObjects(store, config, ctx.env).upload(
    objectKey,
    await archived(),
    { host: ctx.hostId, row: "configs", set },
    { "content-hash": hash, "config-set": set },
    "application/gzip",
  );
  const pointer: ConfigPointer = {
    schemaVersion: 1,
    host: ctx.hostId,
    set,
    archiveKey: objectKey,
    archiveSha256: uploaded.sha256,
    contentHash: hash,
    files: entries,
    createdAt: now.toISOString(),
    checkedAt: now.toISOString(),
  };
  // The pointer moves only after the archive is complete in S3.
  await store.putJson(key, pointer);
  const why =
    previous === undefined
      ? "first archive"
      : previous.contentHash === hash
        ? ageMs < 0
          ? "refresh: the last archive is stamped after now (a clock was wrong)"
          : "refresh before lifecycle expiry"
        : "content changed";
  log.info("archived and uploaded", {
    set,
    why,
    key: objectKey,
    bytes: uploaded.bytes,
    contentHash: hash,
    files: present.map((e) => e.path),
  });
  return { uploadedBytes: uploaded.bytes, outcome: why };
}

/**
 * Writes `<set>-configs-<stamp>-<hash 12>.tar.gz` under the local root unless a local copy of
 * this content is already there: written whether or not S3 took the archive. Returns the name of
 * the copy of the current content (pruning keeps it) and whether this run wrote it.
 */
async function localCopy(
  ctx: JobContext,
  set: string,
  hash: string,
  stamp: string,
  archived: () => Promise<string>,
): Promise<{ readonly name: string; readonly written: boolean }> {
  const { config, log } = ctx;
  const dir = localCopyDir(config, "configs");
  const suffix = `-${hash.slice(0, 12)}.tar.gz`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const present = names
    .filter((n) => LOCAL_ARCHIVE_PATTERN.test(n) && n.startsWith(`${set}-configs-`))
    .find((n) => n.endsWith(suffix));
  if (present) return { name: present, written: false };
  const room = await localRoom(config, "configs");
  if (!room.ok) throw localRoomRefusal(config, room);
  const target = join(dir, `${set}-configs-${stamp}${suffix}`);
  try {
    await copyFileAtomic(await archived(), target, { mode: 0o600 });
  } catch (error) {
    throw localCopyError(config, target, error);
  }
  log.info("local copy written", { set, path: target });
  return { name: basename(target), written: true };
}

async function backup(ctx: JobContext): Promise<JobOutcome> {
  const { config, log } = ctx;
  const sets = ctx.params.list(PARAMETERS.sets.env, Object.keys(config.configSets).sort());
  ctx.params.check();
  // Before the disk is measured: a killed run's staged archive counts against the limit.
  await removeLeftovers(
    ctx.job,
    [{ dir: localCopyDir(config, "configs"), isFinal: (n) => LOCAL_ARCHIVE_PATTERN.test(n) }],
    log,
  );
  const work = await makeWorkDir(ctx.job);
  const results: SetResult[] = [];
  const failures: { readonly set: string; readonly error: unknown }[] = [];
  try {
    for (const set of sets) {
      try {
        results.push(await backupSet(ctx, set, work));
      } catch (error) {
        failures.push({ set, error });
        log.error("config set not backed up", { set, error });
      }
    }
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
  ctx.metrics.rowMetric(
    "configs",
    Metric.backupBytes,
    results.reduce((sum, r) => sum + r.uploadedBytes, 0),
  );
  await pruneLocalCopies(config, "configs", LOCAL_ARCHIVE_PATTERN, log, {
    keep: results.flatMap((r) => (r.localCopy ? [r.localCopy] : [])),
  });
  if (failures.length > 0) {
    const hints = [
      ...new Set(
        failures.flatMap((f) =>
          f.error instanceof JobError && f.error.hint ? [f.error.hint] : [],
        ),
      ),
    ];
    throw new JobError(
      `config sets not backed up: ${failures.map((f) => `${f.set}: ${errorMessage(f.error)}`).join("; ")}`,
      hints.length > 0 ? hints.join("; ") : undefined,
    );
  }
  return { summary: `config-backup: ${results.map((r) => `${r.set} ${r.outcome}`).join(", ")}` };
}

function main(): Promise<number> {
  return runJob("config-backup", backup);
}

const USAGE: JobUsage = {
  summary:
    "Archives each config set and uploads it when its content changed (or is half its retention old),\n" +
    "then points the set's latest.json at it.",
  parameters: parameterUsage(PARAMETERS),
};

exitWith("config-backup", USAGE, main);
