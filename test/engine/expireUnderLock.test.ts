/**
 * Engine contract, retention under the bucket's Object Lock: the sandbox bucket carries the plan's
 * lock, and the engine's retention still removes an expired backup from the repository (its deletes
 * carry no version id, so S3 leaves delete markers), while every locked version stays in the bucket
 * until its lock and the noncurrent-version rule allow S3 to remove it.
 */
import {
  ListObjectVersionsCommand,
  S3Client,
  type DeleteMarkerEntry,
  type ObjectVersion,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { engineFor } from "../../scripts/lib/engines";
import { runEngine, s3RepositoryPath } from "../../scripts/lib/engines/engineProcess";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { listKeys, sandboxS3Client } from "../host/support/aws";
import { postgresLogTail } from "./restoreSupport";
import { describeEachEngine, keepNewestFullArgs, repositoryKey } from "./support";

describeEachEngine("expire under the Object Lock", (engineKey) => {
  let sb: Sandbox;
  let s3: S3Client;
  const engine = () => engineFor(sb.hostConfig, "expire-host");

  beforeAll(async () => {
    sb = await startSandbox({ redis: false, postgresEngine: engineKey, hostId: "expire-host" });
    s3 = sandboxS3Client(sb);
  }, 300_000);
  afterAll(async () => {
    s3?.destroy();
    await sb?.stop();
  });

  test("expire removes the older of two full backups from the listing; its locked versions stay", async () => {
    // Given two full backups in the locked bucket
    const request = { kind: "full", repository: "s3", annotations: {}, startFast: true } as const;
    const first = await engine().backup(request);
    const second = await engine().backup(request);
    const repoPrefix = `${s3RepositoryPath(sb.hostConfig, "expire-host")}/`;
    const firstKeys = async () =>
      (await listKeys(sb, repoPrefix)).filter(
        (key) => repositoryKey(engineKey, repoPrefix, key).backupData === first.name,
      );
    const keysBefore = (await firstKeys()).sort();
    expect(keysBefore.length).toBeGreaterThan(0);

    // When the engine's own retention keeps only the newest full backup
    const expire = await runEngine(
      sb.hostConfig,
      keepNewestFullArgs(engineKey, sb.hostConfig),
      120_000,
    );
    expect(expire.code, expire.stderr + postgresLogTail(sb)).toBe(0);

    // Then the first backup is gone from the repository and its listing, the second is kept...
    const listed = (await engine().list("s3")).map((b) => b.name);
    expect(listed, `${expire.stdout}\n${expire.stderr}`).not.toContain(first.name);
    expect(listed).toContain(second.name);
    expect(await firstKeys()).toEqual([]);
    // ... as delete markers over versions the lock still keeps
    const versions = await allVersions(repoPrefix);
    const ofFirst = <T extends { Key?: string }>(items: T[]) =>
      items.filter((v) => keysBefore.includes(v.Key ?? ""));
    expect([...new Set(ofFirst(versions.versions).map((v) => v.Key))].sort()).toEqual(keysBefore);
    expect(ofFirst(versions.versions).every((v) => v.IsLatest === false)).toBe(true);
    expect(
      ofFirst(versions.deleteMarkers)
        .map((m) => [m.Key, m.IsLatest])
        .sort(),
    ).toEqual(keysBefore.map((key) => [key, true]));
  }, 600_000);

  /** Every version and delete marker under `prefix`, every page. */
  async function allVersions(prefix: string): Promise<{
    versions: ObjectVersion[];
    deleteMarkers: DeleteMarkerEntry[];
  }> {
    const versions: ObjectVersion[] = [];
    const deleteMarkers: DeleteMarkerEntry[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: sb.bucket.name,
          Prefix: prefix,
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
        }),
      );
      versions.push(...(page.Versions ?? []));
      deleteMarkers.push(...(page.DeleteMarkers ?? []));
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    return { versions, deleteMarkers };
  }
});
