/**
 * Figure group `backup-plans`: this project's engine with the stack's shipped defaults taking the
 * kinds a backup plan takes, at each pgbench scale, in one run on the same data, against the same
 * moto behind the same TLS front as the engines group, every backup with an immediate checkpoint.
 *
 * Per scale: a full backup (timed); one rewrite of a fixed share of pgbench_accounts' pages and
 * the bytes it changed, read from the database's files; a differential on the full (timed, and the
 * bytes it stored as the engine lists them); then further rewrites, each followed by a
 * differential, until the full has `CHAIN_DIFFERENTIALS`; and two restores into a throwaway
 * cluster, of the full alone and of the newest differential, each to its backup's consistency
 * point and promoted, timed until it takes a write.
 */
import type { BackupKind, EngineBackup } from "../../lib/engines/adapter";
import { secondsSince } from "../../lib/job/time";
import type { Sandbox } from "../sandbox";
import { backupPlanFigures, CHAIN_DIFFERENTIALS, type PlanMeasurement } from "./backupPlanFigures";
import { changedPageCount, PAGE_BYTES, pageDigests } from "./changedPages";
import { archiveThrough, timedRestore } from "./engineRun";
import { projectEngine } from "./engines/projectEngine";
import type { BenchEngine, BenchEngineContext, PlanEngine } from "./engines/benchEngine";
import { benchEngineContext } from "./enginesGroup";
import type { BenchGroup } from "./figures";
import { perScaleGroup } from "./scaleGroup";
import {
  benchDatabaseDir,
  clusterBytes,
  createPgbenchDatabase,
  rewriteAccountPages,
} from "./pgbenchData";
import { rawS3Client } from "./rawTransfer";
import { removeRepository } from "./repositoryListing";
import { STORAGE_WINDOW_DAYS } from "./storageModel";

/** One rewrite touches 1 ÷ this of pgbench_accounts' pages: 5 %. */
const REWRITE_SLICES = 20;

export interface BackupPlansGroupOptions {
  readonly sandbox: Sandbox;
  readonly scales: readonly number[];
  readonly quick: boolean;
  readonly progress: (message: string) => void;
}

/** `work`'s result and the seconds it took (monotonic clock). */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await work();
  return { result, seconds: secondsSince(started) };
}

/**
 * `backup`, checked to be of `kind` on `prior` (none for a full); throws when the engine listed a
 * backup of another kind, or on another one, than was asked for.
 */
export function requireKind(backup: EngineBackup, kind: BackupKind, prior?: string): EngineBackup {
  if (backup.kind !== kind || backup.prior !== prior)
    throw new Error(
      `asked for a ${kind}${prior ? ` on ${prior}` : ""}, the engine listed ${backup.name} as a ${backup.kind}${backup.prior ? ` on ${backup.prior}` : ""}`,
    );
  return backup;
}

/**
 * This project's engine (`projectEngine`) on an empty repository in the sandbox's bucket, with
 * PostgreSQL archiving through it; its plan seam, which it always has. Throws when the engine
 * cannot be set up or takes no backup of a chosen kind.
 */
export async function freshProjectEngine(
  sandbox: Sandbox,
): Promise<{ context: BenchEngineContext; engine: BenchEngine; plans: PlanEngine }> {
  const host = sandbox.hostConfig;
  const context = benchEngineContext(sandbox, "project");
  const engine = await projectEngine(context);
  const plans = engine.plans;
  if (!plans) throw new Error(`${engine.title} takes no backup of a chosen kind`);
  const client = rawS3Client(sandbox);
  try {
    await removeRepository(client, sandbox.bucket.name, engine.repositoryPrefix);
  } finally {
    client.destroy();
  }
  await engine.prepare();
  await archiveThrough(host, engine);
  return { context, engine, plans };
}

/** `engine.<key>`: the engine's title and the settings that bear on its figures, for a group's settings. */
export function engineSettings(engine: BenchEngine): Record<string, string> {
  return {
    [`engine.${engine.key}`]: `${engine.title}: ${Object.entries(engine.settings)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  };
}

async function measureScale(
  options: BackupPlansGroupOptions,
  scale: number,
): Promise<{ measurement: PlanMeasurement; settings: Record<string, string | number> }> {
  const { sandbox, progress } = options;
  const host = sandbox.hostConfig;
  progress(`backup plans: pgbench -i -s ${scale}`);
  await createPgbenchDatabase(host, scale);
  const databaseBytes = await clusterBytes(host);
  const databaseDir = await benchDatabaseDir(host);
  const { context, engine, plans } = await freshProjectEngine(sandbox);

  progress(`backup plans: ${engine.title}: full backup`);
  const full = await timed(() => plans.backup("full"));
  requireKind(full.result, "full");
  const before = await pageDigests(databaseDir);
  progress(`backup plans: rewrite 1/${CHAIN_DIFFERENTIALS} (1/${REWRITE_SLICES} of the pages)`);
  const rewrite = await rewriteAccountPages(host, REWRITE_SLICES, 0);
  const changedBytes = changedPageCount(before, await pageDigests(databaseDir)) * PAGE_BYTES;
  progress(`backup plans: differential 1/${CHAIN_DIFFERENTIALS}`);
  const first = await timed(() => plans.backup("differential"));
  const chain = [requireKind(first.result, "differential", full.result.name)];
  for (let link = 2; link <= CHAIN_DIFFERENTIALS; link++) {
    progress(`backup plans: rewrite and differential ${link}/${CHAIN_DIFFERENTIALS}`);
    await rewriteAccountPages(host, REWRITE_SLICES, link - 1);
    chain.push(requireKind(await plans.backup("differential"), "differential", full.result.name));
  }

  const restoreOf = (name: string) =>
    timedRestore(host, (pgData, scratch) => plans.restore(name, pgData, scratch), context.root);
  progress(`backup plans: restore of the full alone`);
  const fullRestoreSeconds = await restoreOf(full.result.name);
  progress(`backup plans: restore from the end of the chain`);
  const chainRestoreSeconds = await restoreOf(chain.at(-1)!.name);
  return {
    measurement: {
      engine: engine.key,
      scale,
      databaseBytes,
      fullSeconds: full.seconds,
      fullStoredBytes: full.result.storedBytes,
      differentialSeconds: first.seconds,
      differentialStoredBytes: first.result.storedBytes,
      changedBytes,
      chainStoredBytes: chain.map((b) => b.storedBytes),
      fullRestoreSeconds,
      chainRestoreSeconds,
    },
    settings: {
      [`rewrite.scale${scale}`]: `${rewrite.rows} rows on ${rewrite.pages} of ${rewrite.tablePages} pgbench_accounts pages`,
      ...engineSettings(engine),
    },
  };
}

export async function backupPlansGroup(options: BackupPlansGroupOptions): Promise<BenchGroup> {
  return perScaleGroup({
    group: "backup-plans",
    scales: options.scales,
    quick: options.quick,
    measure: (scale) => measureScale(options, scale),
    figuresOf: backupPlanFigures,
    settings: {
      rewrite: `UPDATE pgbench_accounts SET abalance = abalance + 1 on every row of the pages whose block number modulo ${REWRITE_SLICES} is the rewrite's index (1/${REWRITE_SLICES} of the table's pages, spread over it), then CHECKPOINT; each rewrite takes the next slice`,
      changedBytes: `pages of the files under base/<bench oid>/ (heap, indexes, free space and visibility maps) whose bytes differ from right after the full, or that are new, x ${PAGE_BYTES} bytes`,
      storedBytes:
        "as the engine lists each backup (pgBackRest: the backup's repository delta, compressed)",
      chain: `${CHAIN_DIFFERENTIALS} differentials on one full, each after the next rewrite: a week of the recommended plan`,
      storageModel: `${STORAGE_WINDOW_DAYS} daily runs, all kept; the runbook plan takes ${STORAGE_WINDOW_DAYS} fulls; a weekly full takes ceil(${STORAGE_WINDOW_DAYS}/7) fulls and a differential on every other run, each storing what the first measured differential stored; WAL left out (the same under both plans)`,
      restore:
        "the named backup (its chain read by the engine) into a throwaway cluster, recovery to that backup's consistency point and promotion, until it takes a write",
      checkpoint: "immediate, for every backup",
    },
  });
}
