/**
 * Engine contract, timelines: a copy of production restored elsewhere with production's archive
 * settings is promoted and archives its own timeline and rows into production's repository;
 * production, still on its timeline, then takes a newer backup and writes more rows. pg-verify and
 * the health check report the copy's timeline with its first segment; `latest` restores the newest
 * production backup along production's timeline with production's rows; a time target follows
 * the timeline that was current at that time, and a second restore to the same time does too.
 * Real PostgreSQL 15, the real engine, moto behind the sandbox's TLS front.
 */
import { dirname, join } from "node:path";
import { cpSync, readFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, test } from "vitest";
import { configFileEntry } from "../../infra/catalog/engines";
import { engineFor } from "../../scripts/lib/engines";
import { prepareEngineDirectories } from "../../scripts/lib/engines/engineProcess";
import { engineSecrets } from "../../scripts/lib/postgres/engineSecrets";
import { SANDBOX_AWS_ENV } from "../../scripts/sandbox/moto";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { freeLoopbackPort } from "../../scripts/lib/job/loopbackPort";
import {
  configureThrowaway,
  connectWhenPromoted,
  prepareThrowaway,
  startThrowaway,
  stopThrowaway,
  throwawayLayout,
} from "../../scripts/lib/postgres/throwawayCluster";
import { sleep } from "../../scripts/lib/job/time";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { runJobProcess } from "../host/support/jobs";
import {
  anchorNames,
  archiveCurrentSegment,
  insertAnchors,
  postgresLogTail,
} from "./restoreSupport";
import { describeEachEngine } from "./support";

const SEEDED = ["anchor-1", "anchor-2", "anchor-3", "anchor-4", "anchor-5"];

describeEachEngine("a timeline a promoted copy archived into the repository", (engineKey) => {
  let sb: Sandbox;
  const engine = () => engineFor(sb.hostConfig, hostIdOf(sb.hostConfig));
  const restore = (params: Record<string, string>) =>
    runJobProcess("pg-restore", { ...sb.env, ...params });
  let firstBackup: string;
  let newerBackup: string;
  let strayFirstSegment: string;
  /** A time after the fork, between production rows written before and after it. */
  let target: Date;

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey, hostId: "prod-a" });
    const first = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes" });
    expect(first.code, first.stderr + postgresLogTail(sb)).toBe(0);
    firstBackup = (await engine().list("s3")).at(-1)!.name;
    await insertAnchors(sb, ["before-fork"]);
    await archiveCurrentSegment(sb);

    // A copy restored elsewhere from production's repository with production's archive
    // settings: the same host config and repository, its own data directory and engine paths (on
    // this machine: its own directory, as another machine would have them).
    const config = sb.hostConfig;
    const root = join(sb.dir, "stray-copy");
    const copy = throwawayLayout(root, await freeLoopbackPort());
    const copyConfig = {
      ...config,
      postgres: {
        ...config.postgres,
        pgData: copy.pgData,
        engine: {
          ...config.postgres.engine,
          ...configFileEntry(engine().descriptor, join(root, "etc")),
          spoolDir: join(root, "spool"),
          lockDir: join(root, "lock"),
        },
      },
    };
    const copyEngine = engineFor(copyConfig, "prod-a");
    await prepareThrowaway(config, copy, root);
    // Production's engine config directory as it is (whatever the engine keeps there beside its
    // config, e.g. an archive guard's record), then the config itself rewritten for the copy's paths.
    const productionConfig = config.postgres.engine.configFile;
    if (productionConfig !== undefined)
      cpSync(dirname(productionConfig), join(root, "etc"), { recursive: true });
    await copyEngine.writeConfig(
      await engineSecrets(copyConfig, { ...process.env, ...SANDBOX_AWS_ENV }),
    );
    await prepareEngineDirectories(copyConfig);
    const copied = (await engine().list("s3")).at(-1)!;
    await copyEngine.restore({
      source: { repository: "s3", host: "prod-a" },
      backup: copied.name,
      target: { kind: "latest" },
      timeline: 1,
      pgData: copy.pgData,
      delta: false,
      archiveOff: false,
      scratchRoot: root,
    });
    await configureThrowaway(config, copy);
    const archiveCommand = copyEngine.descriptor.archiveCommand(copyConfig.postgres.engine);
    await appendFile(
      join(copy.pgData, "postgresql.auto.conf"),
      `archive_mode = 'on'\narchive_command = '${archiveCommand.replace(/'/g, "''")}'\n`,
    );
    try {
      await startThrowaway(config, copy, 120_000);
      const client = await connectWhenPromoted(config, copy, "stellar_insights", 120_000);
      try {
        await client.query("INSERT INTO anchors (name) VALUES ('stray-1')");
        const { rows } = await client.query<{ wal: string }>(
          "SELECT pg_walfile_name(pg_current_wal_lsn()) AS wal",
        );
        await client.query("SELECT pg_switch_wal()");
        const deadline = Date.now() + 120_000;
        for (;;) {
          const a = await client.query<{ last: string | null }>(
            "SELECT last_archived_wal AS last FROM pg_stat_archiver",
          );
          if ((a.rows[0].last ?? "") >= rows[0].wal) break;
          if (Date.now() > deadline)
            throw new Error(
              `the copy did not archive ${rows[0].wal}: ${readFileSync(copy.logFile, "utf8").split("\n").slice(-15).join("\n")}`,
            );
          await sleep(300);
        }
      } finally {
        await client.end();
      }
    } finally {
      await stopThrowaway(config, copy);
    }
    strayFirstSegment = (await engine().archivedWal({ repository: "s3", host: "prod-a" })).find(
      (w) => w.name.startsWith("00000002"),
    )!.name;

    // Production, still on timeline 1, writes on, takes a newer backup and writes more.
    await insertAnchors(sb, ["prod-after-fork"]);
    await archiveCurrentSegment(sb);
    await sleep(1200);
    target = new Date();
    await sleep(1200);
    await insertAnchors(sb, ["prod-after-target"]);
    const second = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes" });
    expect(second.code, second.stderr + postgresLogTail(sb)).toBe(0);
    newerBackup = (await engine().list("s3")).at(-1)!.name;
    expect(newerBackup).not.toBe(firstBackup);
    await insertAnchors(sb, ["prod-after-newer-backup"]);
    await archiveCurrentSegment(sb);
  }, 600_000);
  afterAll(async () => sb?.stop());

  const strayReport = () =>
    new RegExp(
      `timeline 2 \\(its first WAL segment ${strayFirstSegment}\\) is not on this cluster's history: production is on timeline 1 \\(the running cluster's current timeline\\)`,
    );

  test("pg-verify fails naming the copy's timeline and its first segment", async () => {
    const run = await runJobProcess("pg-verify", { ...sb.env, REPOSITORIES: "s3" });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(strayReport());
  }, 300_000);

  test("the health check reports it critical (exit 2), naming it", async () => {
    const run = await runJobProcess("health-check", { ...sb.env, CHECKS: "postgres-backup" });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^CRITICAL: /m);
    expect(run.stderr).toMatch(strayReport());
  }, 300_000);

  test("latest restores the newest production backup along timeline 1, with production's rows only", async () => {
    const dry = await restore({ TARGET: "latest" });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would restore ${newerBackup} `);
    expect(dry.stdout).toContain("along timeline 1,");
    const steps = dry.logs.map((l) => l.msg).join("\n");
    expect(steps).toContain(`not followed: timeline 2 from ${strayFirstSegment}`);
    const run = await restore({ TARGET: "latest", CONFIRM: "yes-restore" });
    expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
    expect(await anchorNames(sb)).toEqual(
      [
        ...SEEDED,
        "before-fork",
        "prod-after-fork",
        "prod-after-target",
        "prod-after-newer-backup",
      ].sort(),
    );
  }, 300_000);

  test("a time target, twice in a row, restores production's rows at that time both times", async () => {
    const expected = [...SEEDED, "before-fork", "prod-after-fork"].sort();
    for (const round of [1, 2]) {
      const run = await restore({
        TARGET: "time",
        TARGET_TIME: target.toISOString(),
        CONFIRM: "yes-restore",
      });
      expect(run.code, `restore ${round}: ${run.stderr}${postgresLogTail(sb)}`).toBe(0);
      const plan = run.logs.find((l) => l.msg === "restore plan")?.fields ?? {};
      expect([plan.backup, plan.timeline], `restore ${round}`).toEqual([firstBackup, 1]);
      expect(await anchorNames(sb), `restore ${round}`).toEqual(expected);
    }
  }, 600_000);
});
