/**
 * Engine contract, restores: real PostgreSQL 15, the real engine, moto behind the sandbox's TLS
 * front, every restore through the pg-restore job as a host runs it. Given one full backup and rows
 * written around a noted time, the job restores exactly the rows committed by that time; a named
 * backup; the latest state; the local repository while S3 is down; another host's repository
 * onto this one without writing to it; and every refused target leaves the data directory as it
 * was and says why.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { serializeHostConfig } from "../../infra/content/host/hostConfigFile";
import { configFileEntry } from "../../infra/catalog/engines";
import { engineFor } from "../../scripts/lib/engines";
import { engineSecrets } from "../../scripts/lib/postgres/engineSecrets";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { sleep } from "../../scripts/lib/job/time";
import { SANDBOX_AWS_ENV } from "../../scripts/sandbox/moto";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { hostConfigVariant } from "../host/support/hostVariant";
import { runJobProcess } from "../host/support/jobs";
import { connectStellarInsights } from "../host/support/postgres";
import { listKeys } from "../host/support/aws";
import {
  anchorNames,
  archiveCurrentSegment,
  dataDirectoryFingerprint,
  insertAnchors,
  postgresLogTail,
} from "./restoreSupport";
import { describeEachEngine, repositoryKey } from "./support";

const SEEDED = ["anchor-1", "anchor-2", "anchor-3", "anchor-4", "anchor-5"];

describeEachEngine("restores", (engineKey) => {
  let sb: Sandbox;
  const engine = () => engineFor(sb.hostConfig, hostIdOf(sb.hostConfig));
  const restore = (params: Record<string, string>, env: Record<string, string> = sb.env) =>
    runJobProcess("pg-restore", { ...env, ...params });
  let firstBackup: string;

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey, hostId: "prod-a" });
    const run = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes" });
    expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
    firstBackup = (await engine().list("s3"))[0].name;
  }, 300_000);
  afterAll(async () => sb?.stop());

  test("point in time: exactly the rows committed before the target, none after", async () => {
    // Given rows committed before a noted time T and more after it, all archived
    await insertAnchors(sb, ["before-1", "before-2"]);
    await sleep(1200);
    const target = new Date();
    await sleep(1200);
    await insertAnchors(sb, ["after-1", "after-2"]);
    await archiveCurrentSegment(sb);
    // When the dry run, then the confirmed restore, target T
    const dry = await restore({ TARGET: "time", TARGET_TIME: target.toISOString() });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`pg-restore DRY RUN: would restore ${firstBackup}`);
    expect(await anchorNames(sb)).toContain("after-1");
    const run = await restore({
      TARGET: "time",
      TARGET_TIME: target.toISOString(),
      CONFIRM: "yes-restore",
    });
    expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
    // Then the rows before T are there and none after
    expect(await anchorNames(sb)).toEqual([...SEEDED, "before-1", "before-2"].sort());
    const restored = run.logs.find((l) => l.msg === "restored")?.fields ?? {};
    expect(restored.timeline).toBe(2);
    expect(new Date(String(restored.lastReplayedAt)).getTime()).toBeLessThanOrEqual(
      target.getTime(),
    );
    expect(run.stdout).toMatch(/promoted on timeline 2, last replayed commit 20\d\d-/);
  }, 300_000);

  test("a named backup: the state at its end, as its recorded row counts say", async () => {
    const run = await restore({
      TARGET: "backup",
      BACKUP_NAME: firstBackup,
      CONFIRM: "yes-restore",
    });
    expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
    expect(await anchorNames(sb)).toEqual(SEEDED);
    const annotations = (await engine().list("s3"))[0].annotations;
    expect(annotations["rows.anchors"]).toBe(String(SEEDED.length));
  }, 300_000);

  test("latest: every archived commit comes back", async () => {
    await insertAnchors(sb, ["latest-1"]);
    await archiveCurrentSegment(sb);
    const run = await restore({ TARGET: "latest", CONFIRM: "yes-restore" });
    expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
    expect(await anchorNames(sb)).toEqual([...SEEDED, "latest-1"].sort());
  }, 300_000);

  test("a backup on a branch that a restore abandoned is not used for latest: refused, saying why", async () => {
    // The local repository's only backup started after the point where the named-backup restore
    // branched off timeline 1: the newest timeline does not pass through it.
    const run = await restore({ REPOSITORY: "local" });
    expect(run.code).toBe(64);
    expect(run.stderr).toMatch(
      /no backup in the local repository of host prod-a lies on the history of timeline \d+ \(production: the running cluster's current timeline\)/,
    );
  }, 120_000);

  test("from the local repository while S3 is unreachable", async () => {
    // Given a fresh backup on the current timeline, and a row archived after it
    const backup = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes" });
    expect(backup.code, backup.stderr).toBe(0);
    await insertAnchors(sb, ["local-1"]);
    await archiveCurrentSegment(sb);
    await sb.tlsFront.stop();
    try {
      const run = await restore({ REPOSITORY: "local", CONFIRM: "yes-restore" });
      expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
      expect(run.stdout).toContain("from the local repository of host prod-a");
      expect(await anchorNames(sb)).toEqual([...SEEDED, "latest-1", "local-1"].sort());
    } finally {
      await sb.tlsFront.start();
    }
  }, 300_000);

  test("every refused target changes nothing and says why", async () => {
    const pgData = sb.hostConfig.postgres.pgData;
    const before = dataDirectoryFingerprint(pgData);
    const rowsBefore = await anchorNames(sb);
    const cases: [Record<string, string>, string | RegExp][] = [
      [{ TARGET: "time", TARGET_TIME: "2099-01-01T00:00:00Z" }, "is in the future"],
      [
        { TARGET: "time", TARGET_TIME: "2020-01-01T00:00:00Z" },
        /is before the earliest recoverable time \S+ \(the end of the oldest backup, /,
      ],
      [{ TARGET: "time", TARGET_TIME: "2026-01-01T00:00:00" }, "has no UTC offset"],
      [{ TARGET: "time", TARGET_TIME: "yesterday" }, 'TARGET_TIME="yesterday" is not a time'],
      [
        {
          TARGET: "backup",
          BACKUP_NAME: engine().descriptor.backupNameExample.replace(/^\d{4}/, "2001"),
        },
        "is not in the s3 repository of host prod-a; backups there: ",
      ],
      [
        { SOURCE_HOST: "no-such-host" },
        "there is no backup in the s3 repository of host no-such-host",
      ],
    ];
    for (const [params, why] of cases) {
      const run = await restore({ ...params, CONFIRM: "yes-restore" });
      expect(run.code, JSON.stringify(params)).toBe(64);
      expect(run.stderr).toMatch(why);
      expect(run.stderr).toContain("nothing was changed");
    }
    // Past the end of the recoverable window: a time after the newest segment was stored, but not in the future.
    let pastEnd: { code: number; stderr: string } | undefined;
    for (let attempt = 0; attempt < 5 && !pastEnd; attempt++) {
      await sleep(2500);
      const newest = (await engine().archivedWal({ repository: "s3", host: "prod-a" })).at(-1)!;
      const t = new Date(Math.max(newest.archivedAt.getTime() + 1500, Date.now() - 500));
      const run = await restore({
        TARGET: "time",
        TARGET_TIME: t.toISOString(),
        CONFIRM: "yes-restore",
      });
      if (run.stderr.includes("past the end of the recoverable window")) pastEnd = run;
    }
    expect(pastEnd?.code).toBe(64);
    expect(pastEnd?.stderr).toMatch(
      /the archive is contiguous and readable up to segment [0-9A-F]{24}, archived at /,
    );
    expect(dataDirectoryFingerprint(pgData)).toBe(before);
    expect(await anchorNames(sb)).toEqual(rowsBefore);
  }, 600_000);

  test("a target time in the future is refused before anything is read, even with no engine config", async () => {
    const env = hostConfigVariant(sb, "no-engine-config", {
      postgres: {
        // The engine's own file name (wal-g reads the format its extension names), never written.
        engine: configFileEntry(engine().descriptor, join(sb.dir, "never-written")),
      },
    });
    const run = await restore({ TARGET: "time", TARGET_TIME: "2099-01-01T00:00:00Z" }, env);
    expect(run.code, run.stderr).toBe(64);
    expect(run.stderr).toContain("the target time 2099-01-01T00:00:00.000Z is in the future (now ");
    expect(run.stderr).not.toMatch(/engine config|repository is missing/);
  }, 120_000);

  test("another host's repository onto this host: the same data, nothing written to the source", async () => {
    // Given host B's config on this machine (its own engine config and repository path)
    const bConfig = {
      ...sb.hostConfig,
      hostId: "staging-b",
      postgres: {
        ...sb.hostConfig.postgres,
        engine: {
          ...sb.hostConfig.postgres.engine,
          ...configFileEntry(engine().descriptor, join(sb.dir, "etc", "staging-b")),
        },
      },
    };
    mkdirSync(join(sb.dir, "etc", "staging-b"), { recursive: true });
    const bConfigPath = join(sb.dir, "etc", "staging-b", "host-config.json");
    writeFileSync(bConfigPath, serializeHostConfig(bConfig));
    await engineFor(bConfig, "staging-b").writeConfig(
      await engineSecrets(bConfig, { ...process.env, ...SANDBOX_AWS_ENV }),
    );
    const bEnv = { ...sb.env, STELLAR_BACKUP_CONFIG: bConfigPath };
    await insertAnchors(sb, ["a-before-clone"]);
    await archiveCurrentSegment(sb);
    const aRows = await anchorNames(sb);
    // When B restores A's latest state from A's repository
    const run = await restore({ SOURCE_HOST: "prod-a", CONFIRM: "yes-restore" }, bEnv);
    expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
    expect(run.stdout).toContain("from the s3 repository of host prod-a");
    // Then B holds A's rows, does not archive, and A's repository gets no new object from B (A's
    // own archiver may still have pushed segments while A shut down: the listing starts after)
    const aKeys = await listKeys(sb, "postgres/prod-a/");
    expect(await anchorNames(sb)).toEqual(aRows);
    const client = await connectStellarInsights(sb);
    try {
      expect((await client.query("SHOW archive_mode")).rows[0].archive_mode).toBe("off");
      await client.query("INSERT INTO anchors (name) VALUES ('written-on-b')");
      await client.query("SELECT pg_switch_wal()");
    } finally {
      await client.end();
    }
    await sleep(5000);
    // Objects from B would be on B's new timeline (its history file, its segments) or the partial
    // segment it leaves behind on promotion. A's own async archiver can still finish pushing A's
    // last segment after A stopped (same machine here; another host in life): that is A's WAL.
    const timeline = Number(run.logs.find((l) => l.msg === "restored")?.fields?.timeline);
    expect(timeline).toBeGreaterThan(1);
    const tlHex = timeline.toString(16).toUpperCase().padStart(8, "0");
    const added = (await listKeys(sb, "postgres/prod-a/")).filter((k) => !aKeys.includes(k));
    expect(added.filter((k) => k.includes(`/${tlHex}`) || k.includes(".partial"))).toEqual([]);
    expect(
      added.filter((k) => repositoryKey(engineKey, "postgres/prod-a/", k).walSegment === undefined),
    ).toEqual([]);
    expect(await listKeys(sb, "postgres/staging-b/")).toEqual([]);
  }, 300_000);
});
