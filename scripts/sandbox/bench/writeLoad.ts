/**
 * The fixed write load every engine sees while its RPO is sampled: pgbench's TPC-B-like
 * transactions at a fixed rate (`pgbench --rate`, so the WAL volume does not depend on how fast the
 * machine is), plus a probe that commits one small row every `probeIntervalMs` and records when
 * each COMMIT was acknowledged and the WAL position right after it. Meanwhile `sample` is called
 * every `sampleIntervalMs` (the repository listing).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { Client } from "pg";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { sleep } from "../../lib/job/time";
import { connectBench } from "./benchClient";
import { parseLsn, type AckedWrite } from "./rpo";

export interface WriteLoadOptions {
  readonly host: HostConfig;
  readonly database: string;
  readonly seconds: number;
  /** pgbench transactions per second. */
  readonly pgbenchRate: number;
  readonly probeIntervalMs: number;
  readonly sampleIntervalMs: number;
  readonly sample: () => Promise<void>;
}

export interface WriteLoadResult {
  readonly writes: AckedWrite[];
  readonly pgbenchTransactions: number;
  /** WAL bytes the load wrote (pg_current_wal_lsn difference). */
  readonly walBytes: number;
}

async function currentLsn(client: Client): Promise<bigint> {
  const { rows } = await client.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
  return parseLsn(rows[0].lsn);
}

function runPgbench(options: WriteLoadOptions): Promise<number> {
  const c = options.host.postgres.connection;
  const argv = [
    ...["-h", c.host, "-p", String(c.port), "-U", c.user],
    ...["--no-vacuum", "--rate", String(options.pgbenchRate), "--time", String(options.seconds)],
    options.database,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(join(options.host.postgres.binDir, "pgbench"), argv, {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const processed = /number of transactions actually processed: (\d+)/.exec(out);
      if (code !== 0 || !processed)
        reject(
          new Error(`pgbench exited ${code}: ${out.trim().split("\n").slice(-3).join(" | ")}`),
        );
      else resolve(Number(processed[1]));
    });
  });
}

export async function steadyWriteLoad(options: WriteLoadOptions): Promise<WriteLoadResult> {
  const client = await connectBench(options.host, options.database);
  try {
    await client.query(
      "CREATE TABLE IF NOT EXISTS bench_acks (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())",
    );
    const startLsn = await currentLsn(client);
    const endAt = Date.now() + options.seconds * 1000;
    const pgbench = runPgbench(options);
    const writes: AckedWrite[] = [];
    const probe = (async () => {
      while (Date.now() < endAt) {
        await client.query("INSERT INTO bench_acks DEFAULT VALUES");
        const ackedAtMs = Date.now();
        writes.push({ ackedAtMs, lsn: await currentLsn(client) });
        await sleep(options.probeIntervalMs);
      }
    })();
    const sampler = (async () => {
      while (Date.now() < endAt) {
        const started = Date.now();
        await options.sample();
        await sleep(Math.max(0, options.sampleIntervalMs - (Date.now() - started)));
      }
    })();
    const [pgbenchTransactions] = await Promise.all([pgbench, probe, sampler]);
    const walBytes = Number((await currentLsn(client)) - startLsn);
    return { writes, pgbenchTransactions, walBytes };
  } finally {
    await client.end();
  }
}
