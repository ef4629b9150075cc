/**
 * Figure group `backup-ratios`: the PostgreSQL engine's ratios and the raw baselines they divide by.
 *
 * The ratios (full backup ÷ raw upload, restore ÷ raw download, bytes stored ÷ database size, WAL
 * archive lag p99) are not measured by the bench yet (its engine runs come with the drill's PostgreSQL half): each is written as
 * blocked with the exact reason and its goal. The parts that do not need it are measured on the same
 * data, so the ratios are one division away: the pgbench database's size, and the raw upload and
 * download of a plain dump of it to the same endpoint.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { POSTGRES_ENGINES, type PostgresEngineKey } from "../../../infra/catalog/engines";
import type { Sandbox } from "../sandbox";
import { blocked, measured, type BenchGroup, type Figure } from "./figures";
import { machineConditions } from "./machine";
import { createPgbenchDatabase, dumpDatabase } from "./pgbenchData";
import {
  rawS3Client,
  removeUploaded,
  throughputMBps,
  timedDownload,
  timedUpload,
} from "./rawTransfer";
import { median } from "./stats";
import { engineUnavailableReason } from "../engineBinary";

/** Goals of issue 8. */
export const BACKUP_OVER_UPLOAD_GOAL = 1.2;
export const RESTORE_OVER_DOWNLOAD_GOAL = 1.5;
export const STORED_OVER_SIZE_GOAL = 0.4;
/** WAL archive lag p99 may exceed archive_timeout by this much. */
export const WAL_LAG_MARGIN_SECONDS = 5;

export interface BackupRatiosOptions {
  readonly sandbox: Sandbox;
  /** pgbench scale factors, one data size each (about 15 MB of database per unit). */
  readonly scales: readonly number[];
  readonly transferRuns: number;
  /** Scratch directory for the dumps and the downloads. */
  readonly workDir: string;
  readonly quick: boolean;
  readonly progress: (message: string) => void;
}

function engineRatioFigures(reason: string, archiveTimeoutSeconds: number): Figure[] {
  return [
    blocked("fullBackupOverRawUpload", "full backup time / raw upload time", reason, {
      atMost: BACKUP_OVER_UPLOAD_GOAL,
      unit: "ratio",
    }),
    blocked("restoreOverRawDownload", "restore to writable / raw download time", reason, {
      atMost: RESTORE_OVER_DOWNLOAD_GOAL,
      unit: "ratio",
    }),
    blocked("bytesStoredOverDatabaseSize", "bytes stored / database size", reason, {
      atMost: STORED_OVER_SIZE_GOAL,
      unit: "ratio",
    }),
    blocked("walArchiveLagP99Seconds", "WAL archive lag p99 under load", reason, {
      atMost: archiveTimeoutSeconds + WAL_LAG_MARGIN_SECONDS,
      unit: "s",
    }),
  ];
}

interface ScaleResult {
  readonly scale: number;
  readonly dumpBytes: number;
  readonly figures: Figure[];
}

/** One data size: the pgbench database, its dump, and the dump's raw round trips to the bucket. */
async function measureScale(options: BackupRatiosOptions, scale: number): Promise<ScaleResult> {
  const { sandbox, progress } = options;
  progress(`pgbench -i -s ${scale}`);
  const db = await createPgbenchDatabase(sandbox.hostConfig, scale);
  progress(`pg_dump of the ${(db.databaseBytes / 1e6).toFixed(0)} MB database`);
  const dump = await dumpDatabase(
    sandbox.hostConfig,
    db.name,
    join(options.workDir, `bench-s${scale}.sql`),
  );
  const client = rawS3Client(sandbox);
  const uploads: number[] = [];
  const downloads: number[] = [];
  try {
    for (let run = 1; run <= options.transferRuns; run++) {
      const key = `bench/raw-transfer/scale-${scale}-run-${run}.sql`;
      const copy = join(options.workDir, `download-s${scale}.sql`);
      progress(`raw upload ${run}/${options.transferRuns} (${(dump.bytes / 1e6).toFixed(0)} MB)`);
      const upload = await timedUpload(client, sandbox, key, dump.path);
      uploads.push(upload.seconds);
      progress(`raw download ${run}/${options.transferRuns}`);
      downloads.push(await timedDownload(client, sandbox, key, copy, dump.bytes));
      await removeUploaded(client, sandbox, key, upload);
      rmSync(copy, { force: true });
    }
  } finally {
    client.destroy();
    rmSync(dump.path, { force: true });
  }
  const rate = (samples: number[]) => samples.map((s) => throughputMBps(dump.bytes, s));
  const at = `(scale ${scale})`;
  /** Seconds and throughput of one raw direction: the denominators of the engine ratios. */
  const rawTransferFigures = (
    direction: "upload" | "download",
    seconds: number[],
    ratio: string,
  ) => {
    const Direction = direction === "upload" ? "Upload" : "Download";
    return [
      measured({
        name: `raw${Direction}SecondsMedian.scale${scale}`,
        title: `raw ${direction} of the ${(dump.bytes / 1e6).toFixed(0)} MB dump, median`,
        unit: "s",
        value: median(seconds),
        statistic: "median",
        samples: seconds,
        note: `the denominator of ${ratio} (scaled by bytes)`,
      }),
      measured({
        name: `raw${Direction}MBps.scale${scale}`,
        title: `raw ${direction} throughput ${at}, median`,
        unit: "MB/s",
        value: median(rate(seconds)),
        statistic: "median",
        samples: rate(seconds),
      }),
    ];
  };
  const figures = [
    measured({
      name: `databaseBytes.scale${scale}`,
      title: `database size after pgbench -i -s ${scale}`,
      unit: "bytes",
      value: db.databaseBytes,
      statistic: "single",
      samples: [db.databaseBytes],
      note: "pg_database_size: the denominator of bytes stored / database size",
    }),
    measured({
      name: `pgbenchInitSeconds.scale${scale}`,
      title: `pgbench -i time ${at}`,
      unit: "s",
      value: db.initSeconds,
      statistic: "single",
      samples: [db.initSeconds],
    }),
    ...rawTransferFigures("upload", uploads, "full backup time / raw upload time"),
    ...rawTransferFigures("download", downloads, "restore time / raw download time"),
  ];
  return { scale, dumpBytes: dump.bytes, figures };
}

export async function backupRatiosGroup(options: BackupRatiosOptions): Promise<BenchGroup> {
  const host = options.sandbox.hostConfig;
  const engine = host.postgres.engine.kind as PostgresEngineKey;
  const reason =
    engineUnavailableReason(engine) ??
    "the bench does not run the engine's backups and restores yet (they come with the drill's PostgreSQL half)";
  const results: ScaleResult[] = [];
  for (const scale of options.scales) results.push(await measureScale(options, scale));
  return {
    group: "backup-ratios",
    measuredAt: new Date().toISOString(),
    quick: options.quick,
    machine: machineConditions(),
    settings: {
      pgbenchScales: options.scales,
      dumpBytes: results.map((r) => r.dumpBytes),
      postgresMajorVersion: host.postgres.majorVersion,
      dumpFormat: "plain (uncompressed)",
      transferRuns: options.transferRuns,
      transfer: "one streamed PutObject / GetObject, SSE-KMS, no SDK checksums",
      endpoint: "moto_server on 127.0.0.1",
      postgresEngine: POSTGRES_ENGINES[engine].title,
      archiveTimeoutSeconds: host.postgres.archiveTimeoutSeconds,
    },
    figures: [
      ...engineRatioFigures(reason, host.postgres.archiveTimeoutSeconds),
      ...results.flatMap((r) => r.figures),
    ],
  };
}
