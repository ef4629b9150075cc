/**
 * Engine contract, the kinds that silently break backups elsewhere: a backup that read damaged
 * pages, a cluster re-initialised on the same host, and a standby. Real PostgreSQL 15 (with data
 * checksums), the real engine, moto behind the sandbox's TLS front.
 */
import {
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
  closeSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { overrideHostConfig, serializeHostConfig } from "../../infra/content/host/hostConfigFile";
import { engineFor } from "../../scripts/lib/engines";
import { runChecked } from "../../scripts/lib/exec";
import { hostIdOf } from "../../scripts/lib/hostConfig";
import { ownedDir } from "../../scripts/sandbox/owned";
import { freePort } from "../../scripts/sandbox/ports";
import { startPostgres } from "../../scripts/sandbox/postgres";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { runJobProcess } from "../host/support/jobs";
import { connectStellarInsights } from "../host/support/postgres";
import { describeEachEngine } from "./support";

const asPostgres = (...argv: string[]) => ["runuser", "-u", "postgres", "--", ...argv];

/** The cluster's system identifier (pg_control), as text: it does not fit a double. */
async function systemIdentifier(sb: Sandbox): Promise<string> {
  const client = await connectStellarInsights(sb);
  try {
    const { rows } = await client.query<{ id: string }>(
      "SELECT system_identifier::text AS id FROM pg_control_system()",
    );
    return rows[0].id;
  } finally {
    await client.end();
  }
}

describeEachEngine("kinds that silently break backups elsewhere", (engineKey) => {
  let sb: Sandbox;
  const engine = () => engineFor(sb.hostConfig, hostIdOf(sb.hostConfig));

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey, dataChecksums: true });
    const first = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    expect(first.code, first.stderr).toBe(0);
  }, 240_000);
  afterAll(async () => sb?.stop());

  test("a standby backs up nothing and says so", async () => {
    // Given a streaming standby of the sandbox's cluster on its own port
    const dir = join(sb.dir, "standby");
    mkdirSync(dir, { mode: 0o755 });
    const pgData = ownedDir(join(dir, "data"), "postgres", 0o700);
    const socketDir = ownedDir(join(dir, "run"), "postgres", 0o755);
    const port = await freePort();
    const bin = sb.hostConfig.postgres.binDir;
    const primary = sb.hostConfig.postgres.connection;
    await runChecked(
      asPostgres(
        join(bin, "pg_basebackup"),
        "-h",
        primary.host,
        "-p",
        String(primary.port),
        "-U",
        "postgres",
        "-D",
        pgData,
        "-R",
        "-X",
        "stream",
        "-c",
        "fast",
      ),
      { timeoutMs: 120_000 },
    );
    const logFile = join(dir, "standby.log");
    writeFileSync(logFile, "");
    await runChecked(["chown", "postgres", logFile]);
    await runChecked(
      asPostgres(
        join(bin, "pg_ctl"),
        "-D",
        pgData,
        "-l",
        logFile,
        "-w",
        "-o",
        `-p ${port} -k ${socketDir}`,
        "start",
      ),
      { timeoutMs: 90_000 },
    );
    try {
      const configPath = join(sb.dir, "host-config-standby.json");
      writeFileSync(
        configPath,
        serializeHostConfig(
          overrideHostConfig(sb.hostConfig, { postgres: { connection: { port } } }),
        ),
      );
      const before = await engine().list("s3");
      // When pg-backup runs against it
      const run = await runJobProcess("pg-backup", {
        ...sb.env,
        STELLAR_BACKUP_CONFIG: configPath,
        START_FAST: "yes",
      });
      // Then it succeeds without a backup, and says why
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("PostgreSQL here is a standby (in recovery): nothing backed up");
      expect(await engine().list("s3")).toEqual(before);
    } finally {
      await runChecked(
        asPostgres(join(bin, "pg_ctl"), "-D", pgData, "-m", "immediate", "-w", "stop"),
        { timeoutMs: 60_000 },
      ).catch(() => undefined);
    }
  }, 300_000);

  test("a backup that reads a damaged page fails, naming the damage, and is not counted as good", async () => {
    // Given a table page damaged on disk (data checksums on; the page is clean in memory)
    const client = await connectStellarInsights(sb);
    const { rows } = await client.query<{ path: string }>(
      "SELECT pg_relation_filepath('anchors') AS path",
    );
    await client.query("CHECKPOINT");
    await client.end();
    const file = join(sb.hostConfig.postgres.pgData, rows[0].path);
    const original = readFileSync(file);
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.from("damaged by the test"), 0, 19, 4000);
    closeSync(fd);
    try {
      const goodBefore = (await engine().list("s3")).filter((b) => b.ok).map((b) => b.name);
      // When pg-backup runs
      const run = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
      // Then it fails and says the backup holds damaged pages
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /completed with errors: .* found damage while reading the cluster \(page checksum failures\)/,
      );
      // And the good backups are still the same ones: the damaged one is never the newest good backup
      expect((await engine().list("s3")).filter((b) => b.ok).map((b) => b.name)).toEqual(
        goodBefore,
      );
    } finally {
      writeFileSync(file, original);
    }
  }, 300_000);

  test("a cluster re-initialised on the same host is refused, and the old repository is left untouched", async () => {
    const before = await engine().list("s3");
    expect(before.length).toBeGreaterThan(0);
    const oldSystemId = await systemIdentifier(sb);
    // Given the cluster is destroyed and initialised again (a new system identifier)
    await sb.postgres!.stop();
    rmSync(sb.hostConfig.postgres.pgData, { recursive: true, force: true });
    mkdirSync(sb.hostConfig.postgres.pgData, { recursive: true });
    const again = await startPostgres(sb.hostConfig, {
      socketDir: sb.hostConfig.postgres.socketDir,
      seed: true,
      dataChecksums: true,
    });
    try {
      // When pg-backup runs
      const run = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
      // Then it fails, saying the repository belongs to another cluster and what to do
      expect(run.code).toBe(1);
      // Both clusters are named by their system identifiers, in the engine's words or the adapter's
      const newSystemId = await systemIdentifier(sb);
      expect(newSystemId).not.toBe(oldSystemId);
      expect(run.stderr).toContain(oldSystemId);
      expect(run.stderr).toContain(newSystemId);
      expect(run.stderr).toContain("another system identifier (was PostgreSQL re-initialised?)");
      // And the old cluster's backups are all still there
      expect((await engine().list("s3")).map((b) => b.name)).toEqual(before.map((b) => b.name));
    } finally {
      await again.stop();
    }
  }, 300_000);
});
