/**
 * Engine contract, backup plans: a full, then differentials on it, each run taking the kind the
 * stack's plan says is due; restores to the latest, to a time between two differentials and to a
 * named differential, each checked by content; retention that expires the full expires its
 * differentials with it. Real PostgreSQL 15, the real engine, moto behind the sandbox's TLS front.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import type { BackupPlan } from "../../infra/catalog/backupPlan";
import { engineFor } from "../../scripts/lib/engines";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { runEngine, s3RepositoryPath } from "../../scripts/lib/engines/engineProcess";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { sleep } from "../../scripts/lib/job/time";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { listKeys, sandboxS3Client } from "../host/support/aws";
import { hostConfigVariant } from "../host/support/hostVariant";
import { runJobProcess } from "../host/support/jobs";
import {
  anchorNames,
  archiveCurrentSegment,
  insertAnchors,
  postgresLogTail,
} from "./restoreSupport";
import { describeEachEngine, keepNewestFullArgs, repositoryKey } from "./support";

const SEEDED = ["anchor-1", "anchor-2", "anchor-3", "anchor-4", "anchor-5"];
const WEEKLY_FULL: BackupPlan = { fullEveryDays: 7, betweenFulls: "differential" };

describeEachEngine("backup plans: differentials on a full", (engineKey) => {
  let sb: Sandbox;
  let env: Record<string, string>;
  const engine = () => engineFor(sb.hostConfig, hostIdOf(sb.hostConfig));
  const backup = (params: Record<string, string> = {}) =>
    runJobProcess("pg-backup", { ...env, START_FAST: "yes", LOCAL: "no", ...params });
  const restore = (params: Record<string, string>) =>
    runJobProcess("pg-restore", { ...env, ...params });
  const restored = async (params: Record<string, string>) => {
    const run = await restore({ ...params, CONFIRM: "yes-restore" });
    expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
    return anchorNames(sb);
  };

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey, hostId: "plan-a" });
    env = hostConfigVariant(sb, "weekly-full", { postgres: { backupPlan: WEEKLY_FULL } });
  }, 300_000);
  afterAll(async () => sb?.stop());

  test("a differential asked for with no full to build on is refused before anything is backed up", async () => {
    const run = await backup({ KIND: "differential" });
    expect(run.code, run.stderr).toBe(64);
    expect(run.stderr).toContain(
      "KIND=differential needs a full backup in the S3 repository to build on, and it holds none that is usable",
    );
    expect(await engine().list("s3")).toEqual([]);
  }, 120_000);

  test("the plan takes a full, then differentials on it; restores reach the latest, a time between them, and a named one", async () => {
    // Given the plan's first run (no full yet), rows, a differential, more rows and a second one
    const first = await backup();
    expect(first.code, first.stderr + postgresLogTail(sb)).toBe(0);
    expect(first.stdout).toContain("(the repository holds no full backup yet)");
    await insertAnchors(sb, ["after-full"]);
    const second = await backup();
    expect(second.code, second.stderr + postgresLogTail(sb)).toBe(0);
    await insertAnchors(sb, ["between-1"]);
    await archiveCurrentSegment(sb);
    await sleep(1200);
    const between = new Date();
    await sleep(1200);
    await insertAnchors(sb, ["between-2"]);
    const third = await backup();
    expect(third.code, third.stderr + postgresLogTail(sb)).toBe(0);
    await insertAnchors(sb, ["after-diff-2"]);
    await archiveCurrentSegment(sb);

    // Then the repository holds one full and two differentials on it, each run saying why
    const listed = await engine().list("s3");
    expect(listed.map((b) => b.kind)).toEqual(["full", "differential", "differential"]);
    const [full, diff1, diff2] = listed;
    expect([diff1.prior, diff2.prior]).toEqual([full.name, full.name]);
    for (const [run, diff] of [
      [second, diff1],
      [third, diff2],
    ] as const)
      expect(run.stdout).toContain(
        `differential backup ${diff.name} (on ${full.name}) in S3 (the newest full started 0.0 days ago; the plan takes a full every 7 days and a differential on the runs between)`,
      );
    // And a differential holds less than the full it builds on
    expect(diff1.storedBytes).toBeLessThan(full.storedBytes);

    // When the dry run of the latest: it names every backup it reads
    const dry = await restore({});
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      `would restore ${diff2.name}, reading ${full.name} (full) + ${diff2.name} (differential)`,
    );
    // Then each restore gives exactly the rows committed up to its target
    const everything = [...SEEDED, "after-full", "between-1", "between-2", "after-diff-2"];
    expect(await restored({ TARGET: "latest" })).toEqual(everything.sort());
    expect(await restored({ TARGET: "time", TARGET_TIME: between.toISOString() })).toEqual(
      [...SEEDED, "after-full", "between-1"].sort(),
    );
    expect(await restored({ TARGET: "backup", BACKUP_NAME: diff1.name })).toEqual(
      [...SEEDED, "after-full"].sort(),
    );
  }, 900_000);

  test("retention that expires a full expires its differentials with it, and leaves the newest chain restorable", async () => {
    // Given a new full after the chain above
    const before = await engine().list("s3");
    expect(before.some((b) => b.kind === "differential")).toBe(true);
    const full = await backup({ KIND: "full" });
    expect(full.code, full.stderr + postgresLogTail(sb)).toBe(0);
    expect(full.stdout).toContain("(asked for with KIND=full)");
    const newest = (await engine().list("s3")).at(-1)!;
    // When the engine's retention keeps only the newest full
    const expire = await runEngine(
      sb.hostConfig,
      keepNewestFullArgs(engineKey, sb.hostConfig),
      120_000,
    );
    expect(expire.code, expire.stderr).toBe(0);
    // Then the old full and every differential on it are gone, and the newest full restores
    expect((await engine().list("s3")).map((b) => b.name)).toEqual([newest.name]);
    const dry = await restore({});
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would restore ${newest.name} from`);
  }, 600_000);

  test("a backup the engine still lists but whose files are gone from the bucket is refused before anything is stopped", async () => {
    // Given the newest backup's data objects deleted from the bucket, its listing left as it was
    const newest = (await engine().list("s3")).at(-1)!;
    const repoPrefix = `${s3RepositoryPath(sb.hostConfig, hostIdOf(sb.hostConfig))}/`;
    const dataKeys = (await listKeys(sb, repoPrefix)).filter(
      (key) => repositoryKey(engineKey, repoPrefix, key).backupData === newest.name,
    );
    expect(dataKeys.length).toBeGreaterThan(0);
    const s3 = sandboxS3Client(sb);
    try {
      for (const key of dataKeys)
        await s3.send(new DeleteObjectCommand({ Bucket: sb.bucket.name, Key: key }));
    } finally {
      s3.destroy();
    }
    expect((await engine().list("s3")).map((b) => b.name)).toContain(newest.name);
    const rows = await anchorNames(sb);
    // When a confirmed restore of it is asked for
    const run = await restore({ TARGET: "latest", CONFIRM: "yes-restore" });
    // Then it is refused, naming the backup, and PostgreSQL was never stopped
    expect(run.code, run.stderr).toBe(64);
    expect(run.stderr).toContain(`the files of backup(s) ${newest.name} are not in`);
    expect(await anchorNames(sb)).toEqual(rows);
  }, 300_000);
});
