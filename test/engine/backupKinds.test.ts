/**
 * Engine contract, the kinds that silently break backups elsewhere: a backup that read damaged
 * pages, a cluster re-initialised on the same host, and a standby. Real PostgreSQL 15 (with data
 * checksums), the real engine, moto behind the sandbox's TLS front.
 */
import {
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  rmSync,
  writeFileSync,
  writeSync,
  closeSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { overrideHostConfig, serializeHostConfig } from "../../infra/content/host/hostConfigFile";
import { ListObjectVersionsCommand } from "@aws-sdk/client-s3";
import { ANOTHER_CLUSTER_HINT, engineFor } from "../../scripts/lib/engines";
import { localRepositoryPath, s3RepositoryPath } from "../../scripts/lib/engines/engineProcess";
import { runChecked, runCommand, type CommandResult } from "../../scripts/lib/job/exec";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { ownedDir } from "../../scripts/sandbox/owned";
import { freePort } from "../../scripts/sandbox/ports";
import { startPostgres } from "../../scripts/sandbox/postgres";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { runJobProcess } from "../host/support/jobs";
import { connectStellarInsights } from "../host/support/postgres";
import { describeEachEngine } from "./support";
import { sandboxS3Client } from "../host/support/aws";

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

/**
 * Every object version under this host's S3 repository (key, version, latest, delete marker) and
 * every file of its local repository (path, size, mtime): what "left untouched" means.
 */
async function repositoryState(sb: Sandbox): Promise<string[]> {
  const s3 = sandboxS3Client(sb);
  const state: string[] = [];
  try {
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: sb.bucket.name,
          Prefix: `${s3RepositoryPath(sb.hostConfig, hostIdOf(sb.hostConfig))}/`,
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
        }),
      );
      for (const v of page.Versions ?? [])
        state.push(`s3 ${v.Key} ${v.VersionId} ${String(v.IsLatest)} ${v.Size}`);
      for (const m of page.DeleteMarkers ?? [])
        state.push(`s3 ${m.Key} ${m.VersionId} ${String(m.IsLatest)} delete-marker`);
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
  } finally {
    s3.destroy();
  }
  const root = localRepositoryPath(sb.hostConfig);
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const st = statSync(path);
    state.push(`local ${path.slice(root.length)} ${st.size} ${st.mtimeMs}`);
  }
  return state.sort();
}

/**
 * Writes and switches WAL until PostgreSQL has completed a segment named after `name` on the same
 * timeline; resolves with that segment's name (still in pg_wal: the archiver is refused earlier).
 */
async function switchWalPast(sb: Sandbox, name: string): Promise<string> {
  const client = await connectStellarInsights(sb);
  try {
    for (;;) {
      await client.query("SELECT pg_logical_emit_message(false, 'test', 'switch')");
      const { rows } = await client.query<{ wal: string }>(
        "SELECT pg_walfile_name(pg_switch_wal()) AS wal",
      );
      if (rows[0].wal > name) return rows[0].wal;
    }
  } finally {
    await client.end();
  }
}

/** Runs the archive_command the running cluster has for `segment`, as PostgreSQL would. */
async function runArchiveCommand(sb: Sandbox, segment: string): Promise<CommandResult> {
  const client = await connectStellarInsights(sb);
  let command: string;
  try {
    const { rows } = await client.query<{ archive_command: string }>("SHOW archive_command");
    command = rows[0].archive_command;
  } finally {
    await client.end();
  }
  const shell = command.replaceAll("%p", `pg_wal/${segment}`).replaceAll("%f", segment);
  return runCommand(asPostgres("sh", "-c", shell), {
    cwd: sb.hostConfig.postgres.pgData,
    timeoutMs: 300_000,
  });
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

  test("a cluster re-initialised on the same host is refused by backups, cleanup and archiving, and the old repository is left untouched", async () => {
    const before = await engine().list("s3");
    expect(before.length).toBeGreaterThan(0);
    const oldSystemId = await systemIdentifier(sb);
    const repositoryBefore = await repositoryState(sb);
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

      // When the daily cleanup runs
      const cleanup = await runJobProcess("cleanup", sb.env);
      // Then it fails the same way, before the engine removes or rewrites anything
      expect(cleanup.code, cleanup.stderr).toBe(1);
      expect(cleanup.stderr).toContain(oldSystemId);
      expect(cleanup.stderr).toContain(newSystemId);
      expect(cleanup.stderr).toContain(ANOTHER_CLUSTER_HINT);

      // When the new cluster's WAL passes the names the old repository holds, and PostgreSQL
      // archives a segment whose name the repository has never seen
      const own = { repository: "s3", host: hostIdOf(sb.hostConfig) } as const;
      const newestArchived = (await engine().archivedWal(own)).at(-1)!.name;
      const segment = await switchWalPast(sb, newestArchived);
      const push = await runArchiveCommand(sb, segment);
      // Then the push is refused, naming both clusters, and the segment is not in the repository
      expect(push.code, push.stderr).not.toBe(0);
      expect(push.stderr).toContain(oldSystemId);
      expect(push.stderr).toContain(newSystemId);
      expect((await engine().archivedWal(own)).map((s) => s.name)).not.toContain(segment);
      // And not one object version or local file of the old repository changed
      expect(await repositoryState(sb)).toEqual(repositoryBefore);
    } finally {
      await again.stop();
    }
  }, 300_000);
});
