/**
 * config-restore: puts a config set back from its archive. A dry run by default: it lists the
 * set's files with what would change (sizes and hashes only, never contents). With
 * CONFIRM=yes-restore it writes each changed file atomically with its archived mode and owner,
 * keeping every replaced file under `<stateDir>/config-restore/<UTC stamp>/`, then runs the set's
 * restart commands in order.
 *
 * Parameters: JOB_PARAMETERS in infra/catalog/jobParameters.ts (`--help` lists them).
 */
import { promises as fs } from "node:fs";
import { dirname, join } from "node:path";
import { copyFileAtomic, writeTarget } from "../lib/files/atomicFile";
import {
  archiveMembers,
  extractArchive,
  listArchive,
  memberName,
} from "../lib/configs/configArchive";
import {
  ARCHIVE_NAME_PATTERN,
  isConfigPointer,
  pointerKey,
  setPrefix,
} from "../lib/configs/configPointer";
import { JobError, UsageError } from "../lib/job/errors";
import { runChecked, showArgv } from "../lib/job/exec";
import { sha256File } from "../lib/files/hash";
import type { JobUsage } from "../lib/job/jobCommand";
import { makeWorkDir, removeLeftovers } from "../lib/files/leftovers";
import { MalformedObjectError, newestFirst, type BackupStore } from "../lib/storage/s3";
import { configAt } from "../lib/job/restoreSource";
import { SealedObjects } from "../lib/storage/sealedObjects";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";
import { utcStamp } from "../lib/job/time";
import {
  JOB_PARAMETERS,
  BACKUP_STAMP_PATTERN,
  parameterUsage,
} from "../../infra/catalog/jobParameters";

const PARAMETERS = JOB_PARAMETERS["config-restore"];

type FileChange = "unchanged" | "changed" | "missing on host" | "not in backup";

interface FilePlan {
  readonly path: string;
  readonly change: FileChange;
  readonly backupBytes?: number;
  readonly hostBytes?: number;
}

/**
 * The set's archive keys, newest upload first (`newestFirst`: by S3's LastModified, not by the
 * stamp in their names, which is the host's clock when it wrote them).
 */
async function setArchives(store: BackupStore, prefix: string): Promise<string[]> {
  return newestFirst(
    (await store.list(prefix)).filter((o) => ARCHIVE_NAME_PATTERN.test(o.key.slice(prefix.length))),
  ).map((o) => o.key);
}

/** `BACKUP=<stamp>-<hash 12>` that names this archive. */
function backupParameter(prefix: string, key: string): string {
  return `BACKUP=${key.slice(prefix.length).replace(/\.tar\.gz$/, "")}`;
}

async function resolveArchive(
  ctx: JobContext,
  store: BackupStore,
  set: string,
  sourceHost: string,
  backup: string,
): Promise<string> {
  const prefixes = ctx.config.s3Prefixes.configs;
  const prefix = setPrefix(prefixes, sourceHost, set);
  if (backup === "latest") {
    const key = pointerKey(prefixes, sourceHost, set);
    const url = `s3://${store.bucket}/${key}`;
    // The pointer's own troubles must not read as "never backed up" when archives exist.
    const byName = async (problem: string): Promise<never> => {
      const archives = await setArchives(store, prefix);
      throw new UsageError(
        `${problem}; config set '${set}' of host ${sourceHost} has ${archives.length} archive(s) under s3://${store.bucket}/${prefix}`,
        archives.length > 0
          ? `name one instead: the newest is ${backupParameter(prefix, archives[0])}; config-backup rewrites latest.json at the set's next change`
          : "has config-backup run on that host?",
      );
    };
    let pointer: { readonly value: unknown } | undefined;
    try {
      pointer = await store.getJson<unknown>(key);
    } catch (error) {
      if (!(error instanceof MalformedObjectError)) throw error;
      return byName(error.message);
    }
    if (!pointer) return byName(`there is no ${url}`);
    if (!isConfigPointer(pointer.value))
      return byName(
        `${url} is malformed: not a config pointer (schemaVersion 1, archiveKey, contentHash, files)`,
      );
    return pointer.value.archiveKey;
  }
  const matches = (await store.list(`${prefix}${backup}`))
    .map((o) => o.key)
    .filter((k) => ARCHIVE_NAME_PATTERN.test(k.slice(prefix.length)));
  if (matches.length !== 1) {
    throw new UsageError(
      `${matches.length === 0 ? "no" : "more than one"} archive of set '${set}' with stamp ${backup} under s3://${store.bucket}/${prefix}`,
      matches.length === 0
        ? "use BACKUP=latest or a stamp listed there"
        : `name one with its hash: ${matches.map((k) => k.slice(prefix.length).replace(/\.tar\.gz$/, "")).join(", ")}`,
    );
  }
  return matches[0];
}

/** How many older archives a restore opens to find a file the chosen one lacks. */
const MAX_ARCHIVES_SEARCHED = 100;

/**
 * For each path the chosen archive lacks, the newest other archive of the set that holds it
 * (`BACKUP=...` to restore it), or undefined when none of the newest `MAX_ARCHIVES_SEARCHED` does.
 */
async function newestArchivesWith(
  sealed: SealedObjects,
  store: BackupStore,
  place: { readonly host: string; readonly set: string },
  prefix: string,
  chosen: string,
  paths: readonly string[],
  work: string,
): Promise<Map<string, string | undefined>> {
  const found = new Map<string, string | undefined>(paths.map((p) => [p, undefined]));
  const candidates = (await setArchives(store, prefix)).filter((k) => k !== chosen);
  for (const [i, key] of candidates.slice(0, MAX_ARCHIVES_SEARCHED).entries()) {
    const wanted = [...found].filter(([, where]) => where === undefined).map(([p]) => p);
    if (wanted.length === 0) break;
    const probe = join(work, `probe-${i}.tar.gz`);
    // Only the member names are read, for a hint; nothing of a probed archive is restored.
    await sealed.download(key, probe, { ...place, row: "configs" }, { allowPlaintext: true });
    const members = new Set(await archiveMembers(probe));
    await fs.rm(probe, { force: true });
    for (const path of wanted) {
      if (members.has(memberName(path))) found.set(path, backupParameter(prefix, key));
    }
  }
  return found;
}

async function hashIfPresent(
  path: string,
): Promise<{ readonly sha256: string; readonly bytes: number } | undefined> {
  try {
    return await sha256File(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function restore(ctx: JobContext): Promise<JobOutcome> {
  const { config, log } = ctx;
  const setNames = Object.keys(config.configSets).sort();
  const set = ctx.params.required(
    PARAMETERS.set.env,
    new RegExp(`^(${setNames.map((s) => s.replace(/-/g, "\\-")).join("|")})$`),
    `one of ${setNames.join(", ")}`,
  );
  const confirmed = ctx.params.confirmed(PARAMETERS.confirm);
  const backup = ctx.params.text(
    PARAMETERS.backup.env,
    new RegExp(`^${BACKUP_STAMP_PATTERN}$`),
    "'latest' or an archive's UTC stamp such as 20240115T020000Z (with -<hash> when a second holds two)",
    "latest",
  ) as string;
  const sourceHost = ctx.params.sourceHost(PARAMETERS.sourceHost, ctx.hostId);
  const allowPlaintext = ctx.params.flag(PARAMETERS.allowPlaintext);
  const source = ctx.params.source(PARAMETERS.source, config);
  ctx.params.check();
  const store = ctx.storeAt(source);
  // The source's own region: its KMS endpoint opens the envelopes with that region's key.
  const sealed = new SealedObjects(store, configAt(config, source), ctx.env);
  const configSet = config.configSets[set];

  const key = await resolveArchive(ctx, store, set, sourceHost, backup);
  await removeLeftovers(ctx.job, [], log);
  const work = await makeWorkDir(ctx.job);
  try {
    const archive = join(work, "archive.tar.gz");
    await sealed.download(
      key,
      archive,
      { host: sourceHost, row: "configs", set },
      { allowPlaintext },
    );
    const members = await listArchive(archive, configSet.paths);
    const staging = join(work, "files");
    await fs.mkdir(staging, { mode: 0o700 });
    await extractArchive(archive, staging, members);

    const plans: FilePlan[] = [];
    for (const path of configSet.paths) {
      const inBackup = members.includes(memberName(path))
        ? await sha256File(join(staging, memberName(path)))
        : undefined;
      const onHost = await hashIfPresent(path);
      const change: FileChange = !inBackup
        ? "not in backup"
        : !onHost
          ? "missing on host"
          : inBackup.sha256 === onHost.sha256
            ? "unchanged"
            : "changed";
      plans.push({
        path,
        change,
        ...(inBackup ? { backupBytes: inBackup.bytes } : {}),
        ...(onHost ? { hostBytes: onHost.bytes } : {}),
      });
    }
    const toWrite = plans.filter((p) => p.change === "changed" || p.change === "missing on host");
    const counts = Object.fromEntries(
      ["unchanged", "changed", "missing on host", "not in backup"].map((c) => [
        c,
        plans.filter((p) => p.change === c).length,
      ]),
    );
    log.info(`archive s3://${store.bucket}/${key} (${source} bucket) against the host`, {
      set,
      files: plans,
      summary: counts,
    });
    const lacking = plans.filter((p) => p.change === "not in backup").map((p) => p.path);
    let lacks = "";
    if (lacking.length > 0) {
      const prefix = setPrefix(config.s3Prefixes.configs, sourceHost, set);
      const where = await newestArchivesWith(
        sealed,
        store,
        { host: sourceHost, set },
        prefix,
        key,
        lacking,
        work,
      );
      const described = [...where].map(
        ([path, backupParam]) =>
          `${path} (${backupParam ? `newest archive with it: ${backupParam}` : "no archive of this set has it"})`,
      );
      log.warn("the archive lacks files of the set; they are left as they are on the host", {
        set,
        lacking: [...where].map(([path, backupParam]) => ({
          path,
          newestArchiveWithIt: backupParam,
        })),
      });
      lacks = ` Not in this archive: ${described.join(", ")}.`;
    }

    if (!confirmed) {
      toWrite.forEach((p) =>
        log.info(
          `DRY RUN: would write ${p.path} (${p.change}; ${p.hostBytes ?? 0} -> ${p.backupBytes} bytes)`,
        ),
      );
      configSet.restart.forEach((argv) => log.info(`DRY RUN: would run '${showArgv(argv)}'`));
      return {
        summary: `config-restore DRY RUN for set '${set}': ${toWrite.length} file(s) would be written (${counts.changed} changed, ${counts["missing on host"]} missing), ${counts.unchanged} unchanged; nothing was changed. Set CONFIRM=yes-restore to restore.${lacks}`,
      };
    }

    const asideRoot = join(config.paths.stateDir, "config-restore", utcStamp(ctx.startedAt));
    for (const plan of toWrite) {
      const source = join(staging, memberName(plan.path));
      const stat = await fs.stat(source);
      if (plan.change === "changed") {
        const aside = join(asideRoot, memberName(plan.path));
        await fs.mkdir(dirname(aside), { recursive: true, mode: 0o700 });
        // Kept aside with its own mode and owner: replaced .env files stay as private as they were.
        await fs.copyFile(plan.path, aside);
        const original = await fs.stat(plan.path);
        await fs.chmod(aside, original.mode & 0o7777);
        await fs.chown(aside, original.uid, original.gid);
      }
      // Through a symlink, not over it: the link (often into a release or shared directory) stays.
      const target = await writeTarget(plan.path);
      await fs.mkdir(dirname(target), { recursive: true });
      await copyFileAtomic(source, target, {
        mode: stat.mode & 0o7777,
        uid: stat.uid,
        gid: stat.gid,
      });
      log.info(`wrote ${plan.path}`, {
        ...(target !== plan.path ? { throughSymlinkTo: target } : {}),
        change: plan.change,
        bytes: plan.backupBytes,
        ...(plan.change === "changed"
          ? { previousKeptAt: join(asideRoot, memberName(plan.path)) }
          : {}),
      });
    }
    if (toWrite.length > 0) {
      for (const argv of configSet.restart) {
        log.info(`running '${showArgv(argv)}'`);
        try {
          await runChecked(argv, { timeoutMs: 5 * 60_000 });
        } catch (error) {
          throw new JobError(
            `set '${set}' restored (${toWrite.length} file(s)), but ${(error as Error).message}`,
            `the replaced files are in ${asideRoot}; fix the service, then rerun the remaining restarts`,
          );
        }
      }
    } else {
      log.info("every file already matches the backup; no restart needed", { set });
    }
    return {
      summary: `config-restore: set '${set}' from ${key}: ${toWrite.length} file(s) written${toWrite.length ? `, replaced files kept in ${asideRoot}` : ""}, ${toWrite.length ? configSet.restart.length : 0} restart command(s) run.${lacks}`,
    };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

function main(): Promise<number> {
  return runJob("config-restore", restore);
}

const USAGE: JobUsage = {
  summary:
    "Puts a config set back from its archive. A dry run unless CONFIRM=yes-restore: it lists what would\n" +
    "change; confirmed, it keeps every replaced file aside and runs the set's restarts.",
  parameters: parameterUsage(PARAMETERS),
};

exitWith("config-restore", USAGE, main);
