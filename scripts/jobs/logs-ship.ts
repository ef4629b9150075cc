/**
 * logs-ship: uploads the configured log files to `logs/<host>/<UTC date>/<path>.<stamp>.<from>-<to>.gz`,
 * each byte once. A file's content (decompressed for `.gz`) is matched against the prefixes
 * already shipped, so a rename (`app.log` → `app.log.1`), compression (→ `app.log.1.gz`) or
 * copytruncate ships only what is new, and lines written just before a rotation are not lost.
 * The state file is updated after each upload: a crash repeats at most one upload, never loses one.
 *
 * Parameters: none (`--help` prints the exit codes).
 */
import { promises as fs, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Metric } from "../../infra/catalog";
import { memberName } from "../lib/configs/configArchive";
import { JobError } from "../lib/job/errors";
import { expandGlobs } from "./logs-ship/glob";
import { contentStream, gzipRange, isCompressed, scanContent } from "./logs-ship/logContent";
import {
  forgetOldPrefixes,
  readState,
  statePath,
  UNREADABLE_RUNS_LIMIT,
  writeState,
  type LogShipState,
} from "./logs-ship/logShipState";
import type { JobUsage } from "../lib/job/jobCommand";
import { makeWorkDir, removeLeftovers } from "../lib/files/leftovers";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";
import { utcDate, utcStamp } from "../lib/job/time";

/** Prefixes are remembered a week past the logs' retention: rotated files are long gone by then. */
const PREFIX_MEMORY_EXTRA_DAYS = 7;

function logObjectKey(
  prefix: string,
  host: string,
  now: Date,
  path: string,
  start: number,
  end: number,
): string {
  const name = memberName(path).replace(/\.gz$/, "");
  return `${prefix}${host}/${utcDate(now)}/${name}.${utcStamp(now)}.${start}-${end}.gz`;
}

/**
 * The file's stat, or undefined when it no longer exists: log rotation renames files at any time,
 * and a file that left the patterns between listing and reading is not this run's failure.
 */
async function statUnlessGone(path: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

type FileOutcome = { readonly uploadedBytes: number; readonly shipped: boolean };

async function shipFile(
  ctx: JobContext,
  state: LogShipState,
  path: string,
  work: string,
  now: Date,
): Promise<FileOutcome> {
  const { config, log } = ctx;
  const stat = await fs.stat(path);
  const id = `${stat.dev}:${stat.ino}`;
  const known = state.files[id];
  if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs)
    return { uploadedBytes: 0, shipped: false };
  if (stat.size === 0) return { uploadedBytes: 0, shipped: false };

  const scan = await scanContent(contentStream(path, stat.size), state.prefixes);
  const covered = { path, size: stat.size, mtimeMs: stat.mtimeMs };
  if (scan.shippedLength === scan.totalLength) {
    state.files[id] = covered;
    log.debug("already shipped", { path, bytes: scan.totalLength });
    return { uploadedBytes: 0, shipped: false };
  }
  const part = join(work, `${state.prefixes.length}-${Date.now()}.gz`);
  const taken = await gzipRange(
    contentStream(path, stat.size),
    scan.shippedLength,
    scan.totalLength,
    part,
  );
  if (taken !== scan.totalLength - scan.shippedLength) {
    log.warn("file shrank while being read; it is shipped next run", { path });
    return { uploadedBytes: 0, shipped: false };
  }
  const key = logObjectKey(
    config.s3Prefixes.logs,
    ctx.hostId,
    now,
    path,
    scan.shippedLength,
    scan.totalLength,
  );
  const uploaded = await ctx.store().uploadFile(
    key,
    part,
    {
      // S3 metadata must be ASCII: odd file names are percent-encoded.
      "source-path": encodeURI(path),
      "source-range": `${scan.shippedLength}-${scan.totalLength}`,
      "source-sha256": scan.sha256,
    },
    "application/gzip",
  );
  await fs.rm(part, { force: true });
  state.prefixes.push({
    length: scan.totalLength,
    sha256: scan.sha256,
    shippedAt: now.toISOString(),
  });
  state.files[id] = covered;
  await writeState(config.paths.stateDir, state);
  log.info("shipped", {
    path,
    key,
    from: scan.shippedLength,
    to: scan.totalLength,
    compressedBytes: uploaded.bytes,
  });
  return { uploadedBytes: uploaded.bytes, shipped: true };
}

async function ship(ctx: JobContext): Promise<JobOutcome> {
  const { config, log } = ctx;
  ctx.params.check();
  await removeLeftovers(
    ctx.job,
    [
      {
        dir: dirname(statePath(config.paths.stateDir)),
        isFinal: (n) => n === basename(statePath(config.paths.stateDir)),
      },
    ],
    log,
  );
  const now = new Date();
  const state = await readState(config.paths.stateDir);
  forgetOldPrefixes(state, config.retentionDays.logs + PREFIX_MEMORY_EXTRA_DAYS, now);
  const paths = await expandGlobs(config.logs.paths);
  // Oldest first: a rotated file's content is recognised before its successor is read.
  const withTimes = (
    await Promise.all(
      paths.map(async (p) => {
        const stat = await statUnlessGone(p);
        return stat ? [{ p, mtime: stat.mtimeMs }] : [];
      }),
    )
  ).flat();
  const ordered = withTimes
    .sort((a, b) => a.mtime - b.mtime || a.p.localeCompare(b.p))
    .map((x) => x.p);
  log.info("log files found", { patterns: config.logs.paths, files: ordered.length });

  const work = await makeWorkDir(ctx.job);
  let uploadedBytes = 0;
  let shippedFiles = 0;
  const failures: string[] = [];
  const seen = new Set<string>();
  const unreadable = (state.unreadable ??= {});
  const corrupt: string[] = [];
  try {
    for (const path of ordered) {
      try {
        const stat = await statUnlessGone(path);
        if (!stat) {
          log.info("log file gone since it was listed (rotated or removed); not a failure", {
            path,
          });
          continue;
        }
        seen.add(`${stat.dev}:${stat.ino}`);
        const outcome = await shipFile(ctx, state, path, work, now);
        delete unreadable[`${stat.dev}:${stat.ino}`];
        uploadedBytes += outcome.uploadedBytes;
        if (outcome.shipped) shippedFiles++;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
          // Renamed away between the stat and the read: whatever still matches a pattern under
          // its new name is shipped (by content) next run.
          log.info("log file gone while being read (rotated or removed); not a failure", { path });
          continue;
        }
        // A .gz still being written by logrotate fails to decompress: it is complete next run.
        const partialGzip =
          isCompressed(path) &&
          /unexpected end|incorrect header|invalid/i.test((error as Error).message);
        const stat = partialGzip ? await statUnlessGone(path) : undefined;
        if (stat) {
          const id = `${stat.dev}:${stat.ino}`;
          const last = unreadable[id];
          const runs =
            last && last.size === stat.size && last.mtimeMs === stat.mtimeMs ? last.runs + 1 : 1;
          unreadable[id] = { path, size: stat.size, mtimeMs: stat.mtimeMs, runs };
          if (runs >= UNREADABLE_RUNS_LIMIT) {
            corrupt.push(path);
            failures.push(
              `${path} could not be decompressed on ${runs} consecutive runs, unchanged (limit ${UNREADABLE_RUNS_LIMIT}): it is corrupt, and none of it is shipped`,
            );
            log.error("compressed log unreadable past the limit", { path, runs, error });
          } else {
            log.warn("compressed log not readable yet; retried next run", {
              path,
              runs,
              limit: UNREADABLE_RUNS_LIMIT,
              error,
            });
          }
        } else if (partialGzip) {
          log.info("log file gone while being read (rotated or removed); not a failure", { path });
        } else {
          failures.push(`${path}: ${(error as Error).message}`);
          log.error("log file not shipped", { path, error });
        }
      }
    }
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
  for (const id of Object.keys(state.files)) if (!seen.has(id)) delete state.files[id];
  for (const id of Object.keys(unreadable)) if (!seen.has(id)) delete unreadable[id];
  await writeState(config.paths.stateDir, state);
  ctx.metrics.rowMetric("logs", Metric.backupBytes, uploadedBytes);
  if (failures.length > 0)
    throw new JobError(
      `${failures.length} log file(s) not shipped: ${failures.join("; ")}`,
      corrupt.length > 0
        ? `check ${corrupt.map((p) => `'gzip -t ${p}'`).join(", ")}; keep a copy elsewhere if it matters, then remove the file from the log directory: the run stops failing once it is gone (other files are retried next run)`
        : "they are retried next run",
    );
  return {
    summary: `logs-ship: ${shippedFiles} of ${ordered.length} file(s) had new content, ${uploadedBytes} compressed bytes uploaded`,
  };
}

function main(): Promise<number> {
  return runJob("logs-ship", ship);
}

const USAGE: JobUsage = {
  summary:
    "Uploads the configured log files to logs/<host>/<UTC date>/, each byte once, across renames,\n" +
    "compression and copytruncate.",
};

exitWith("logs-ship", USAGE, main);
