/**
 * Engine contract, retention under the bucket's Object Lock: the sandbox bucket carries the plan's
 * lock, and the engine's expire still removes an expired backup from the repository (its deletes
 * carry no version id, so S3 leaves delete markers), while every locked version stays in the bucket
 * until its lock and the noncurrent-version rule allow S3 to remove it.
 */
import { ListObjectVersionsCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { engineFor } from "../../scripts/lib/engines";
import { runEngine } from "../../scripts/lib/engines/engineProcess";
import { sandboxClientSettings } from "../../scripts/sandbox/moto";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { postgresLogTail } from "./restoreSupport";
import { describeEachEngine } from "./support";

describeEachEngine("expire under the Object Lock", (engineKey) => {
  let sb: Sandbox;
  let s3: S3Client;
  const engine = () => engineFor(sb.hostConfig, "expire-host");

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey, hostId: "expire-host" });
    s3 = new S3Client({
      ...sandboxClientSettings(sb.moto.endpoint, sb.hostConfig.region),
      forcePathStyle: true,
    });
  }, 300_000);
  afterAll(async () => {
    s3?.destroy();
    await sb?.stop();
  });

  test("expire removes the older of two full backups from the listing; its locked versions stay", async () => {
    // Given two full backups in the locked bucket
    const request = { kind: "full", repository: "s3", annotations: {}, startFast: true } as const;
    const first = await engine().backup(request);
    await engine().backup(request);
    const prefix = `postgres/expire-host/backup/${sb.hostConfig.postgres.engine.stanza}/${first.name}/`;
    const before = await s3.send(
      new ListObjectsV2Command({ Bucket: sb.bucket.name, Prefix: prefix }),
    );
    expect(before.KeyCount ?? 0).toBeGreaterThan(0);

    // When the engine expires down to one full backup
    const { engine: e } = sb.hostConfig.postgres;
    const expire = await runEngine(
      sb.hostConfig,
      [
        `--config=${e.configFile}`,
        `--stanza=${e.stanza}`,
        "--repo=1",
        "--repo1-retention-full-type=count",
        "--repo1-retention-full=1",
        "expire",
      ],
      120_000,
    );
    expect(expire.code, expire.stderr + postgresLogTail(sb)).toBe(0);

    // Then the first backup is gone from the repository and its listing...
    expect((await engine().list("s3")).map((b) => b.name)).not.toContain(first.name);
    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: sb.bucket.name, Prefix: prefix }),
    );
    expect(after.KeyCount ?? 0).toBe(0);
    // ... as delete markers over versions the lock still keeps
    const versions = await s3.send(
      new ListObjectVersionsCommand({ Bucket: sb.bucket.name, Prefix: prefix }),
    );
    const keysBefore = (before.Contents ?? []).map((o) => o.Key).sort();
    expect([...new Set(versions.Versions?.map((v) => v.Key))].sort()).toEqual(keysBefore);
    expect(versions.Versions?.every((v) => v.IsLatest === false)).toBe(true);
    expect(versions.DeleteMarkers?.map((m) => [m.Key, m.IsLatest]).sort()).toEqual(
      keysBefore.map((key) => [key, true]),
    );
  }, 600_000);
});
