/**
 * Engine contract, a cluster initialised with another `wal_segment_size` (`initdb --wal-segsize=1`,
 * 1 MiB segments, 4096 a log): every segment name is read with the cluster's own size, so verify
 * sees no gap where there is none, and a segment really missing is named for what it breaks. Real
 * PostgreSQL 15, the real engine, moto behind the sandbox's TLS front.
 */
import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, test } from "vitest";
import { engineFor } from "../../scripts/lib/engines";
import { s3RepositoryPath } from "../../scripts/lib/engines/engineProcess";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { runJobProcess } from "../host/support/jobs";
import { connectStellarInsights } from "../host/support/postgres";
import { archiveCurrentSegment, insertAnchors } from "./restoreSupport";
import { describeEachEngine, repositoryKey } from "./support";
import { sandboxS3Client } from "../host/support/aws";

const HOST = "segsize-host";

describeEachEngine("a cluster with 1 MiB WAL segments", (engineKey) => {
  let sb: Sandbox;
  let s3: S3Client;
  const engine = () => engineFor(sb.hostConfig, HOST);

  beforeAll(async () => {
    sb = await startSandbox({
      redis: false,
      postgresEngine: engineKey,
      hostId: HOST,
      walSegmentMb: 1,
    });
    s3 = sandboxS3Client(sb);
  }, 300_000);
  afterAll(async () => {
    s3?.destroy();
    await sb?.stop();
  });

  test("pg-verify finds no gap where there is none, and names the backup a missing segment breaks", async () => {
    // Given a cluster whose segments are 1 MiB
    const client = await connectStellarInsights(sb);
    const { rows } = await client.query<{ size: string }>(
      "SELECT current_setting('wal_segment_size') AS size",
    );
    await client.end();
    expect(rows[0].size).toBe("1MB");
    // ... two backups with archived WAL between them
    const first = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    expect(first.code, first.stderr).toBe(0);
    for (const name of ["a", "b", "c"]) {
      await insertAnchors(sb, [`segsize-${name}`]);
      await archiveCurrentSegment(sb);
    }
    const second = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes", LOCAL: "no" });
    expect(second.code, second.stderr).toBe(0);

    // When pg-verify reads the repository, then Then it finds nothing missing
    const clean = await runJobProcess("pg-verify", { ...sb.env, REPOSITORIES: "s3" });
    expect(clean.code, clean.stderr).toBe(0);
    // ... and each backup's last segment is one the repository holds, by its 1 MiB name
    const newest = (await engine().list("s3")).at(-1)!;
    const archived = await engine().archivedWal({ repository: "s3", host: HOST });
    expect(archived.map((s) => s.name)).toContain(newest.walStop);

    // When that segment is gone from the bucket
    const prefix = `${s3RepositoryPath(sb.hostConfig, HOST)}/`;
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: sb.bucket.name, Prefix: prefix }),
    );
    const key = (listed.Contents ?? [])
      .map((o) => o.Key!)
      .find((k) => repositoryKey(engineKey, prefix, k).walSegment === newest.walStop);
    expect(key).toBeDefined();
    await s3.send(new DeleteObjectCommand({ Bucket: sb.bucket.name, Key: key }));
    // Then pg-verify fails, naming the segment and the backup it makes unrestorable
    const broken = await runJobProcess("pg-verify", { ...sb.env, REPOSITORIES: "s3" });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(
      `WAL segment ${newest.walStop} is missing: backup ${newest.name} cannot be made consistent`,
    );
  }, 600_000);
});
