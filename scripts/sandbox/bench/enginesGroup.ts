/**
 * Figure group `engines`: this project's PostgreSQL engine with the stack's shipped defaults side
 * by side with what users would pick instead (pgBackRest with stock settings, barman-cloud, and
 * wal-g when `WALG_BINARY` names one), in one run, on the same pgbench data, against the same moto
 * behind the same TLS front, every backup with an immediate checkpoint.
 *
 * Per engine and data size: full backup time ÷ raw upload of the same bytes; restore to a
 * writable cluster ÷ one streamed raw download of them; bytes stored ÷ database size (the base
 * backup plus the WAL of the fixed write load); RPO under that load (the worst sample); and how
 * backup time, restore time and stored bytes grow from the smallest to the largest size. Goals
 * hold for this project's engine only.
 */
import { mkdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { ownedDir } from "../owned";
import type { Sandbox } from "../sandbox";
import { defaultProcessMax } from "../../../infra/catalog/engines";
import { barmanCloudEngine } from "./engines/barmanCloud";
import type { BenchEngine, BenchEngineContext, SkippedEngine } from "./engines/benchEngine";
import { projectEngine, walgEngine } from "./engines/projectEngine";
import { stockPgbackrestEngine } from "./engines/stockPgbackrest";
import { timedCompression, type CompressionTiming } from "./compressionBound";
import { runEngine, type EngineRunResult, type LoadSettings } from "./engineRun";
import { blocked, engineFigure, measured, type BenchGroup, type Figure } from "./figures";
import { machineConditions } from "./machine";
import { clusterBytes, clusterFilesArchive, createPgbenchDatabase } from "./pgbenchData";
import { rawS3Client, removeUploaded, timedDownload, timedUpload } from "./rawTransfer";
import { maximum, median } from "./stats";
import { formatMegabytes as mb } from "./table";

/** The bench's goals for this project's engine with its shipped defaults. */
export const ENGINE_GOALS = {
  backupOverRawUpload: 0.4,
  restoreOverRawDownload: 0.5,
  storedOverDatabaseSize: 0.15,
  rpoSeconds: 15,
} as const;

export const ENGINE_KEYS = ["project", "pgbackrest-stock", "barman-cloud", "wal-g"] as const;

export interface EnginesGroupOptions {
  readonly sandbox: Sandbox;
  readonly scales: readonly number[];
  readonly engines: readonly (typeof ENGINE_KEYS)[number][];
  readonly transferRuns: number;
  readonly load: LoadSettings;
  readonly workDir: string;
  readonly quick: boolean;
  readonly progress: (message: string) => void;
}

/** The figures of one engine at one size, with the raw baselines they divide by. */
interface Measured {
  readonly engine: string;
  readonly scale: number;
  readonly run: EngineRunResult;
}

interface Baseline {
  readonly scale: number;
  readonly databaseBytes: number;
  readonly rawBytes: number;
  readonly uploadSeconds: number;
  readonly downloadSeconds: number;
  /** The project engine's compression alone on the same bytes: the CPU floor under its ratios. */
  readonly compression?: CompressionTiming;
}

/** The sandbox's host and a directory of the engine's own under the sandbox's `bench/`. */
export function benchEngineContext(sandbox: Sandbox, key: string): BenchEngineContext {
  const host = sandbox.hostConfig;
  mkdirSync(join(sandbox.dir, "bench"), { recursive: true, mode: 0o755 });
  // The engines run as the cluster's OS user: their logs, locks and spools go under here.
  const root = ownedDir(join(sandbox.dir, "bench", key), host.postgres.engine.osUser, 0o755);
  return { sandbox, host, root };
}

async function benchEngines(
  options: EnginesGroupOptions,
): Promise<(BenchEngine | SkippedEngine)[]> {
  const { sandbox } = options;
  const engines: (BenchEngine | SkippedEngine)[] = [];
  for (const key of options.engines) {
    const context = benchEngineContext(sandbox, key);
    switch (key) {
      case "project":
        engines.push(await projectEngine(context));
        break;
      case "pgbackrest-stock":
        engines.push(await stockPgbackrestEngine(context));
        break;
      case "barman-cloud":
        engines.push(await barmanCloudEngine(context, options.progress));
        break;
      case "wal-g":
        engines.push(await walgEngine(context));
        break;
      default: {
        const unreachable: never = key;
        throw new Error(`unknown engine ${String(unreachable)}`);
      }
    }
  }
  return engines;
}

/** The pgbench database at `scale`, and one raw round trip (median of runs) of its cluster's files. */
async function baseline(options: EnginesGroupOptions, scale: number): Promise<Baseline> {
  const { sandbox, progress } = options;
  progress(`pgbench -i -s ${scale}`);
  await createPgbenchDatabase(sandbox.hostConfig, scale);
  const databaseBytes = await clusterBytes(sandbox.hostConfig);
  const file = join(options.workDir, `cluster-s${scale}.tar`);
  await clusterFilesArchive(sandbox.hostConfig, file);
  const rawBytes = statSync(file).size;
  const client = rawS3Client(sandbox);
  const uploads: number[] = [];
  const downloads: number[] = [];
  const compressionTimings = new Map<number, CompressionTiming>();
  try {
    for (let run = 1; run <= options.transferRuns; run++) {
      const key = `bench/raw-transfer/scale-${scale}-run-${run}.tar`;
      const copy = join(options.workDir, `download-s${scale}.tar`);
      progress(`raw upload ${run}/${options.transferRuns} (${(rawBytes / 1e6).toFixed(0)} MB)`);
      const upload = await timedUpload(client, sandbox, key, file);
      uploads.push(upload.seconds);
      progress(`raw download ${run}/${options.transferRuns}`);
      downloads.push(await timedDownload(client, sandbox, key, copy, rawBytes));
      await removeUploaded(client, sandbox, key, upload);
      rmSync(copy, { force: true });
    }
    const { compression, processMax } = sandbox.hostConfig.postgres.engine;
    progress(`${compression.type} level ${compression.level} alone on the same bytes`);
    const timing = await timedCompression(
      file,
      compression.type,
      compression.level,
      processMax ?? defaultProcessMax(availableParallelism()),
    );
    if (timing) compressionTimings.set(scale, timing);
  } finally {
    client.destroy();
    rmSync(file, { force: true });
  }
  const compressionTiming = compressionTimings.get(scale);
  return {
    ...(compressionTiming ? { compression: compressionTiming } : {}),
    scale,
    databaseBytes,
    rawBytes,
    uploadSeconds: median(uploads),
    downloadSeconds: median(downloads),
  };
}

function engineFigures(m: Measured, b: Baseline, isProject: boolean): Figure[] {
  const { run } = m;
  const at = `(${mb(b.databaseBytes)})`;
  const one = engineFigure({ engine: m.engine, scale: m.scale, at, isProject });
  const bytesScale = b.rawBytes / b.databaseBytes;
  const floors =
    isProject && b.compression
      ? [
          one(
            "compressOverRawUpload",
            `floor: ${b.compression.tool} alone / raw upload`,
            "ratio",
            b.compression.compressSeconds / b.uploadSeconds,
            [b.compression.compressSeconds],
            "single",
            undefined,
            "compression of the same bytes on this machine's cores, nothing else: no backup with this setting can be faster",
          ),
          one(
            "decompressOverRawDownload",
            `floor: decompression alone / raw download`,
            "ratio",
            b.compression.decompressSeconds / b.downloadSeconds,
            [b.compression.decompressSeconds],
            "single",
          ),
        ]
      : [];
  return [
    ...floors,
    one(
      "backupOverRawUpload",
      "full backup / raw upload",
      "ratio",
      run.backupSeconds / b.uploadSeconds,
      [run.backupSeconds],
      "single",
      ENGINE_GOALS.backupOverRawUpload,
      `raw upload of ${mb(b.rawBytes)} (the cluster's files) in ${b.uploadSeconds.toFixed(2)} s`,
    ),
    one(
      "restoreOverRawDownload",
      "restore to writable / raw download",
      "ratio",
      run.restoreSeconds / b.downloadSeconds,
      [run.restoreSeconds],
      "single",
      ENGINE_GOALS.restoreOverRawDownload,
      `raw download of ${mb(b.rawBytes)} in ${b.downloadSeconds.toFixed(2)} s; restore includes PostgreSQL start, replay of the load's WAL and one write`,
    ),
    one(
      "storedOverDatabaseSize",
      "bytes stored / database size",
      "ratio",
      run.storedBytes / b.databaseBytes,
      [run.storedBytes],
      "single",
      ENGINE_GOALS.storedOverDatabaseSize,
      `${run.storedObjects} objects; load WAL ${mb(run.loadWalBytes)}; raw file / database size ${bytesScale.toFixed(2)}`,
    ),
    one(
      "rpoSeconds",
      "RPO under steady write load, worst",
      "s",
      maximum(run.rpoSamples),
      run.rpoSamples,
      "max",
      ENGINE_GOALS.rpoSeconds,
      `median ${median(run.rpoSamples).toFixed(1)} s over ${run.rpoSamples.length} samples of the repository`,
    ),
    one("backupSeconds", "full backup time", "s", run.backupSeconds, [run.backupSeconds], "single"),
    one(
      "restoreSeconds",
      "restore to writable",
      "s",
      run.restoreSeconds,
      [run.restoreSeconds],
      "single",
    ),
    one("storedBytes", "bytes stored", "bytes", run.storedBytes, [run.storedBytes], "single"),
  ];
}

/** How backup time, restore time and stored bytes grow from the smallest size to the largest. */
function growthFigures(
  results: readonly Measured[],
  baselines: readonly Baseline[],
  engines: readonly string[],
): Figure[] {
  if (baselines.length < 2) return [];
  const [small, large] = [baselines[0], baselines.at(-1)!];
  const label = `${mb(small.databaseBytes)} -> ${mb(large.databaseBytes)}`;
  const figures: Figure[] = [
    measured({
      name: "growth.databaseBytes",
      series: { figure: "growth.databaseBytes", engine: "data" },
      title: `data growth ${label}`,
      unit: "ratio",
      value: large.databaseBytes / small.databaseBytes,
      statistic: "single",
      samples: [small.databaseBytes, large.databaseBytes],
    }),
  ];
  for (const engine of engines) {
    const at = (scale: number) => results.find((r) => r.engine === engine && r.scale === scale);
    const [a, z] = [at(small.scale), at(large.scale)];
    if (!a || !z) continue;
    for (const [figure, title, pick] of [
      ["growth.backupSeconds", "full backup time growth", (r: EngineRunResult) => r.backupSeconds],
      ["growth.restoreSeconds", "restore time growth", (r: EngineRunResult) => r.restoreSeconds],
      ["growth.storedBytes", "bytes stored growth", (r: EngineRunResult) => r.storedBytes],
    ] as const) {
      figures.push(
        measured({
          name: `${figure}.${engine}`,
          series: { figure, engine },
          title: `${title} ${label}`,
          unit: "ratio",
          value: pick(z.run) / pick(a.run),
          statistic: "single",
          samples: [pick(a.run), pick(z.run)],
        }),
      );
    }
  }
  return figures;
}

function skippedFigures(engine: SkippedEngine, scales: readonly number[]): Figure[] {
  return scales.map((scale) =>
    blocked(
      `skipped.scale${scale}.${engine.key}`,
      `${engine.title}: skipped`,
      engine.skipped,
      undefined,
      {
        figure: "skipped",
        engine: engine.key,
        scale,
      },
    ),
  );
}

export async function enginesGroup(options: EnginesGroupOptions): Promise<BenchGroup> {
  const { sandbox, progress } = options;
  const host = sandbox.hostConfig;
  const engines = await benchEngines(options);
  const runnable = engines.filter((e): e is BenchEngine => !("skipped" in e));
  const client = rawS3Client(sandbox);
  const baselines: Baseline[] = [];
  const results: Measured[] = [];
  const figures: Figure[] = [];
  const failed = new Map<string, SkippedEngine>();
  try {
    for (const scale of options.scales) {
      const b = await baseline(options, scale);
      baselines.push(b);
      for (const engine of runnable) {
        if (failed.has(engine.key)) continue;
        const run = await runEngine({
          host,
          engine,
          client,
          bucket: sandbox.bucket.name,
          database: "bench",
          root: join(sandbox.dir, "bench", engine.key),
          load: options.load,
          progress,
        }).catch((error: unknown) => {
          // The project's engine breaking is a broken measurement; another engine's failure is
          // that engine's result, reported in its column, and the comparison goes on.
          if (engine.key === "project") throw error;
          const message = error instanceof Error ? error.message : String(error);
          progress(`${engine.title} failed: ${message}`);
          failed.set(engine.key, {
            key: engine.key,
            title: engine.title,
            skipped: `failed: ${message}`,
          });
          return undefined;
        });
        if (!run) continue;
        const m = { engine: engine.key, scale, run };
        results.push(m);
        figures.push(...engineFigures(m, b, engine.key === "project"));
      }
    }
  } finally {
    client.destroy();
  }
  figures.push(
    ...growthFigures(
      results,
      baselines,
      runnable.map((e) => e.key),
    ),
  );
  for (const engine of [...engines.filter((e) => "skipped" in e), ...failed.values()])
    if ("skipped" in engine) figures.push(...skippedFigures(engine, options.scales));
  const settings: Record<string, string | number | readonly number[]> = {
    pgbenchScales: options.scales,
    databaseBytes: baselines.map((b) => b.databaseBytes),
    rawBytes: baselines.map((b) => b.rawBytes),
    rawUploadSeconds: baselines.map((b) => b.uploadSeconds),
    rawDownloadSeconds: baselines.map((b) => b.downloadSeconds),
    transferRuns: options.transferRuns,
    transfer:
      "one streamed PutObject (Content-MD5, as a locked bucket requires) / GetObject of a tar of the cluster's base/ and global/, SSE-KMS",
    endpoint:
      "moto_server on 127.0.0.1 behind the sandbox's TLS front (every engine and the raw transfers)",
    checkpoint: "immediate, for every engine's backup",
    postgresMajorVersion: host.postgres.majorVersion,
    writeLoad: `${options.load.seconds} s of pgbench --rate ${options.load.pgbenchRate} plus one acknowledged probe write every ${options.load.probeIntervalMs} ms; repository listed every ${options.load.sampleIntervalMs} ms`,
    restore:
      "newest backup into a throwaway cluster, recovery to the end of the archive, until it takes a write",
  };
  for (const engine of engines) {
    settings[`engine.${engine.key}`] =
      "skipped" in engine
        ? `${engine.title}: skipped (${engine.skipped})`
        : `${engine.title}: ${Object.entries(engine.settings)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}`;
  }
  for (const [key, engine] of failed) settings[`engine.${key}.failed`] = engine.skipped;
  return {
    group: "engines",
    measuredAt: new Date().toISOString(),
    quick: options.quick,
    machine: machineConditions(),
    settings,
    figures,
  };
}
