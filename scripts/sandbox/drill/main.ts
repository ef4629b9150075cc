/**
 * `npm run drill`: the runbook's quarterly DR drill as one command, on the local sandbox, through
 * the very artifacts and SSM documents `pulumi up` ships. Seeds PostgreSQL and Redis, takes the
 * backups, keeps writing, destroys the data, restores through the restore documents (PostgreSQL
 * to the newest state, then to a point inside the load), checks everything by content, measures
 * RPO and RTO, and writes the reports people read (report.json, report.md, report.html).
 *
 *   npm run drill -- [--scale 300] [--engine pgbackrest] [--backup-from primary] [--redis-keys 500]
 *                    [--load-seconds S] [--to-time +30] [--stack prod] [--out out/drill/report.json]
 *
 * Exit status: 0 when every step passed, 1 when one failed or the tools could not be installed,
 * 2 for a bad command line or an engine that is not installed (see options.ts).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BACKUP_TYPES } from "../../../infra/catalog";
import { postgresEngine, type PostgresEngineKey } from "../../../infra/catalog/engines";
import { OutDirError, prepareOutDir } from "../../../infra/synth/outDir";
import { exitWithUsageError } from "../../cli/commandLine";
import { stackFilePath, validatedStackConfig } from "../../../infra/synth/synthesizeStack";
import { engineFor } from "../../lib/engines";
import { hostIdOf } from "../../lib/job/hostConfig";
import { uploadPlannedObjects } from "../agent";
import { engineUnavailableReason } from "../engineBinary";
import { installSandboxTools } from "../installTools";
import { defaultSynthDir, loadPlan, synthesize } from "../plan";
import { tearDownOnInterruption } from "../interruption";
import { stackHostConfig, type Sandbox } from "../sandbox";
import { SandboxSlot } from "../sandboxSlot";
import {
  checkLoadSeconds,
  DRILL_COMMAND,
  drillEngine,
  parseDrillOptions,
  type DrillOptions,
} from "./options";
import {
  backupPostgres,
  connectCheckDatabase,
  destroyPostgres,
  postgresRpo,
  restorePostgres,
  seedPostgres,
  startLoad,
  stopStandby,
  verifyPass,
} from "./postgresHalf";
import { LOAD_TABLE } from "./postgresLoad";
import { killRedis, redisClient, seedRedis, verifyRedis } from "./redisHalf";
import { startRedisLoad } from "./redisLoad";
import type { AckedWrite } from "./steadyWriter";
import type { DrillReport, DrillTargets, DrillVersions, PostgresDrill } from "./report";
import { reportHtml } from "./reportHtml";
import { reportMarkdown } from "./reportMarkdown";
import { RPO_MARGIN_SECONDS } from "./reportFacts";
import { sendDocument } from "./sendDocument";
import { StepRecorder, stepSeconds, stepTable } from "./steps";
import { targetInsideLoad } from "./writeCheck";

const STEP_COUNT = 18;

/** What the drill knows before it starts: options resolved against the stack. */
interface Setup {
  readonly options: DrillOptions;
  readonly engine: PostgresEngineKey;
  readonly loadSeconds: number;
  readonly targets: DrillTargets;
}

type Figures = Omit<DrillReport, "steps" | "ok" | "startedAt" | "finishedAt" | "failure">;

/** Exits 2 with `problem` on stderr (an engine missing here, a load too short for the stack). */
function refuse(problem: string): never {
  process.stderr.write(`drill: ${problem}\n`);
  process.exit(2);
}

function resolveSetup(options: DrillOptions): Setup {
  let stackConfig: ReturnType<typeof validatedStackConfig>;
  try {
    stackConfig = validatedStackConfig(stackFilePath(options.stack));
  } catch (error) {
    refuse(`stack ${options.stack}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const engine = drillEngine(options, stackConfig.postgresEngine);
  const missing = engineUnavailableReason(engine);
  if (missing) refuse(`--engine ${engine}: ${missing}`);
  const host = stackHostConfig(options.stack, defaultSynthDir(options.stack));
  const archiveTimeoutSeconds = host.postgres.archiveTimeoutSeconds;
  const load = checkLoadSeconds(options, archiveTimeoutSeconds);
  if ("problem" in load) refuse(load.problem);
  const rtoMinutes = stackConfig.thresholds.restoreTestRtoMinutes;
  return {
    options,
    engine,
    loadSeconds: load.seconds,
    targets: {
      rpoSeconds: BACKUP_TYPES.wal.rpoSeconds,
      archiveTimeoutSeconds,
      rpoBoundSeconds: archiveTimeoutSeconds + RPO_MARGIN_SECONDS,
      rtoSeconds: rtoMinutes === undefined ? null : rtoMinutes * 60,
    },
  };
}

async function versionsOf(sb: Sandbox): Promise<DrillVersions> {
  const installed = await engineFor(sb.hostConfig, hostIdOf(sb.hostConfig)).installed();
  const pg = await connectCheckDatabase(sb);
  const { rows } = await pg.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  await pg.end();
  const redis = await redisClient(sb);
  const info = await redis.info("server");
  await redis.disconnect();
  return {
    engine: installed.installed ? installed.version : `not installed: ${installed.reason}`,
    postgres: rows[0].v,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown",
    node: process.versions.node,
  };
}

/** The point-in-time target: `--to-time`, or between two writes mid-way through those archived. */
function pointInTimeTarget(
  setup: Setup,
  loadStartedAt: number,
  acked: readonly AckedWrite[],
  restoredWrites: number,
): { time: Date; chosen: string } {
  const t = setup.options.toTime;
  if (t.kind === "at") return { time: t.time, chosen: "--to-time" };
  if (t.kind === "into-load")
    return { time: new Date(loadStartedAt + t.seconds * 1000), chosen: `--to-time +${t.seconds}` };
  const ms = targetInsideLoad(acked, restoredWrites);
  if (ms === undefined)
    throw new Error(
      `no point inside the load to restore to: only ${restoredWrites} of its writes reached the archive before the disaster`,
    );
  return {
    time: new Date(ms),
    chosen: `default: between writes ${Math.floor((restoredWrites - 1) / 2)} and ${Math.floor((restoredWrites - 1) / 2) + 1}, half-way through the ${restoredWrites} writes the archive received`,
  };
}

async function drill(setup: Setup, steps: StepRecorder, slot: SandboxSlot): Promise<Figures> {
  const { options } = setup;
  const synthDir = defaultSynthDir(options.stack);
  const plan = await steps.run("synth the stack offline", async () => {
    synthesize(options.stack, synthDir);
    const p = loadPlan(options.stack, synthDir);
    return { value: p, detail: `${p.resources.length} resources -> ${synthDir}` };
  });
  const sb = await steps.run("start the sandbox (moto, PostgreSQL, Redis)", async () => {
    // A drill that asks for the standby must not pass with a backup the primary served.
    const s = await slot.start({
      stack: options.stack,
      synthDir,
      postgresEngine: setup.engine,
      ...(options.backupFrom === "standby" ? { standby: { whenStandbyUnavailable: "fail" } } : {}),
    });
    return {
      value: s,
      detail: `moto ${s.moto.endpoint}, Redis :${s.redis?.port}, PostgreSQL :${s.postgres?.port}${s.standby ? `, its streaming standby :${s.standby.port}` : ""}, in ${s.dir}`,
    };
  });
  const engineTitle = postgresEngine(setup.engine).title;
  try {
    await steps.run("install the host artifacts through the install document", async () => {
      const uploaded = await uploadPlannedObjects(plan, sb);
      await sendDocument(plan, sb, "install");
      return {
        value: undefined,
        detail: `${uploaded} objects uploaded as pulumi up would; installed and SHA-256 verified; ${engineTitle} set up, WAL archiving checked`,
      };
    });
    const versions = await versionsOf(sb);

    const seededPg = await steps.run(
      `seed PostgreSQL check tables to ${options.scaleMb} MiB`,
      async () => {
        const s = await seedPostgres(sb, options.scaleMb);
        return {
          value: s,
          detail: `anchors ${s.rows.anchors} rows, corridors ${s.rows.corridors} rows; database ${(s.databaseBytes / 1048576).toFixed(0)} MiB`,
        };
      },
    );
    const seeded = await steps.run("seed Redis keys", async () => ({
      value: await seedRedis(sb, options.redisKeys),
      detail: `${options.redisKeys} keys`,
    }));
    const pgBackup = await steps.run("PostgreSQL full backup through pg-backup", async () => {
      const t0 = performance.now();
      const backup = await backupPostgres(plan, sb, options.backupFrom);
      return {
        value: { ...backup, seconds: stepSeconds(t0) },
        detail: `${engineTitle} backup ${backup.name} in S3 and the local repository, ${backup.readFromNote}`,
      };
    });

    const pgLoad = await startLoad(sb);
    const redisLoad = await startRedisLoad(sb.redis?.port ?? 0);
    const loadStartedAt = pgLoad.startedAt;
    const backupStartedAt = Date.now();
    await steps.run("Redis backup through its document (load running)", async () => ({
      value: await sendDocument(plan, sb, "redis-backup"),
      detail: "BGSAVE verified and uploaded",
    }));
    const configFiles = sb.hostConfig.configSets.app.paths;
    const configBefore = new Map(configFiles.map((path) => [path, readFileSync(path)]));
    await steps.run("config backup through its document", async () => ({
      value: await sendDocument(plan, sb, "config-backup"),
      detail: `${configFiles.length} app config files archived`,
    }));

    await steps.run(
      `steady writes to PostgreSQL and Redis for ${setup.loadSeconds} s`,
      async () => {
        const left = loadStartedAt + setup.loadSeconds * 1000 - Date.now();
        if (left > 0) await new Promise((r) => setTimeout(r, left));
        return {
          value: undefined,
          detail: `${pgLoad.acked.length} PostgreSQL and ${redisLoad.acked.length} Redis writes acknowledged so far`,
        };
      },
    );

    const disaster = await steps.run(
      "disaster: PostgreSQL data directory, Redis dump and config files lost",
      async () => {
        const standby = await stopStandby(sb);
        // Both die at once, as with the host: neither keeps acknowledging writes while the other goes.
        await Promise.all([destroyPostgres(sb), killRedis(sb)]);
        await Promise.all([pgLoad.stop(), redisLoad.stop()]);
        await pgLoad.close();
        rmSync(join(sb.hostConfig.redis.dir, sb.hostConfig.redis.dbfilename), { force: true });
        rmSync(configFiles[0], { force: true });
        writeFileSync(configFiles[configFiles.length - 1], "# truncated by the drill\n");
        // The RTO clock starts once the data is gone: recovery cannot start earlier.
        return {
          value: { at: steps.elapsedSeconds() },
          detail: `${standby}PostgreSQL stopped with SIGQUIT (no checkpoint, no WAL switch) after ${pgLoad.acked.length} acknowledged writes, ${sb.hostConfig.postgres.pgData} deleted; Redis shut down without saving, its dump deleted; one config file deleted, one truncated`,
        };
      },
    );

    const latestRestore = await steps.run(
      "PostgreSQL restore to latest through pg-restore (confirmed)",
      async () => {
        const t0 = performance.now();
        await restorePostgres(plan, sb);
        return {
          value: stepSeconds(t0),
          detail: `${engineTitle} restored ${pgBackup.name} and replayed the archived WAL; promoted`,
        };
      },
    );
    const latest = await steps.run(
      "verify PostgreSQL by content and a write (end of RTO)",
      async () => {
        const v = await verifyPass(sb, seededPg.rows, pgLoad);
        const rpo = postgresRpo(pgLoad, v.split);
        return {
          value: { ...v, rpo, at: steps.elapsedSeconds() },
          detail: `${v.detail}; RPO ${rpo.toFixed(2)} s`,
        };
      },
    );
    const rtoSeconds = Number((latest.at - disaster.at).toFixed(3));

    const redisRestoreStarted = performance.now();
    await steps.run("Redis restore through its document (confirmed)", async () => ({
      value: await sendDocument(plan, sb, "redis-restore", { Confirm: "yes-restore" }),
      detail: "dump fetched, verified, loaded; key count checked by the job",
    }));
    const redisRtoSeconds = (performance.now() - redisRestoreStarted) / 1000;
    await steps.run("config restore through its document (confirmed)", async () => ({
      value: await sendDocument(plan, sb, "config-restore", { Set: "app", Confirm: "yes-restore" }),
      detail: "replaced files kept aside",
    }));

    const redisResult = await steps.run("verify Redis by content", async () => {
      const r = await verifyRedis(sb, seeded, redisLoad, backupStartedAt);
      return {
        value: r,
        detail: `${r.restored}/${r.expected} keys with their values; ${r.writesRestored}/${r.writes} load writes back; RPO ${r.rpoSeconds.toFixed(2)} s`,
      };
    });

    const configs = await steps.run("verify config files byte for byte", async () => {
      const equal = configFiles.filter((path) => {
        try {
          return readFileSync(path).equals(configBefore.get(path) as Buffer);
        } catch {
          return false;
        }
      });
      if (equal.length !== configFiles.length)
        throw new Error(`${equal.length} of ${configFiles.length} config files equal`);
      return {
        value: { expected: configFiles.length, restored: equal.length, files: configFiles },
        detail: `${equal.length}/${configFiles.length} equal`,
      };
    });

    const target = pointInTimeTarget(
      setup,
      loadStartedAt,
      pgLoad.acked,
      latest.pass.writesRestored,
    );
    const pitrRestore = await steps.run(
      "PostgreSQL restore to a point in time through pg-restore (confirmed)",
      async () => {
        const t0 = performance.now();
        await restorePostgres(plan, sb, target.time);
        return {
          value: stepSeconds(t0),
          detail: `to ${target.time.toISOString()}, inside the load (${target.chosen}); promoted`,
        };
      },
    );
    const pitr = await steps.run("verify the point-in-time restore by content", async () => {
      const v = await verifyPass(sb, seededPg.rows, pgLoad, target.time);
      return { value: v, detail: v.detail };
    });

    const postgres: PostgresDrill = {
      database: sb.hostConfig.postgres.check.database,
      scaleMb: options.scaleMb,
      databaseBytes: seededPg.databaseBytes,
      checkTableRows: seededPg.rows,
      backup: pgBackup,
      load: {
        seconds: setup.loadSeconds,
        writesAcknowledged: pgLoad.acked.length,
        table: LOAD_TABLE,
      },
      latest: { target: "latest", restoreSeconds: latestRestore, ...latest.pass },
      pointInTime: {
        target: target.time.toISOString(),
        targetChosen: target.chosen,
        restoreSeconds: pitrRestore,
        ...pitr.pass,
      },
      disasterAtSeconds: disaster.at,
      recoveredAtSeconds: latest.at,
    };
    return {
      stack: options.stack,
      rpoSeconds: Number(latest.rpo.toFixed(3)),
      rtoSeconds,
      rowsExpected: pitr.pass.rowsExpected,
      rowsRestored: pitr.pass.rowsRestored,
      redisKeysExpected: redisResult.expected,
      redisKeysRestored: redisResult.restored,
      engine: { key: setup.engine, title: engineTitle, version: versions.engine },
      versions,
      targets: setup.targets,
      postgres,
      redis: {
        keysExpected: redisResult.expected,
        keysRestored: redisResult.restored,
        rpoSeconds: Number(redisResult.rpoSeconds.toFixed(3)),
        rtoSeconds: Number(redisRtoSeconds.toFixed(3)),
        writesAcknowledged: redisResult.writes,
        writesRestored: redisResult.writesRestored,
      },
      configs,
    };
  } finally {
    await sb.stop();
  }
}

/** The figures of a drill that stopped early: nothing measured is reported as measured. */
function emptyFigures(setup: Setup): Figures {
  return {
    stack: setup.options.stack,
    rpoSeconds: null,
    rtoSeconds: null,
    rowsExpected: null,
    rowsRestored: null,
    redisKeysExpected: null,
    redisKeysRestored: null,
    engine: { key: setup.engine, title: postgresEngine(setup.engine).title, version: null },
    versions: null,
    targets: setup.targets,
    postgres: null,
    redis: null,
    configs: null,
  };
}

async function main(): Promise<void> {
  const options = parseDrillOptions();
  // The report is written at the end: an --out it cannot be written to is refused before the run.
  try {
    prepareOutDir(dirname(options.out), `--out ${options.out}`);
  } catch (error) {
    if (error instanceof OutDirError) exitWithUsageError(DRILL_COMMAND, [error.message]);
    throw error;
  }
  // Before the engine check: pgBackRest is one of the tools it installs.
  installSandboxTools(DRILL_COMMAND.name);
  const setup = resolveSetup(options);
  const steps = new StepRecorder(STEP_COUNT);
  const slot = new SandboxSlot();
  const interruption = tearDownOnInterruption({
    name: DRILL_COMMAND.name,
    where: () => steps.where(),
    tearDown: () => slot.stop(),
  });
  const startedAt = new Date().toISOString();
  let figures: Figures = emptyFigures(setup);
  let failure: string | undefined;
  try {
    figures = await drill(setup, steps, slot);
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  // Its steps failed because the sandbox went away: no table, no report; the tear-down exits.
  if (interruption.cause !== undefined) return;
  const ok = failure === undefined && steps.steps.every((s) => s.status === "ok");
  console.log(`\n${stepTable(steps.steps)}\n`);
  const report: DrillReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    ...figures,
    steps: steps.steps,
    ok,
    ...(failure !== undefined ? { failure } : {}),
  };
  const out = setup.options.out;
  const base = out.replace(/\.json$/, "");
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, reportMarkdown(report));
  writeFileSync(`${base}.html`, reportHtml(report));
  const passed = steps.steps.filter((s) => s.status === "ok").length;
  console.log(
    `\ndrill ${ok ? "passed" : "FAILED"}: ${passed}/${steps.steps.length} steps ok` +
      (report.rpoSeconds !== null
        ? `; PostgreSQL RPO ${report.rpoSeconds} s, RTO ${report.rtoSeconds} s`
        : ""),
  );
  if (failure !== undefined) console.error(`drill stopped: ${failure}`);
  console.log(`report: ${base}.html (also ${base}.md, ${out})`);
  interruption.exit(ok ? 0 : 1);
}

void main();
