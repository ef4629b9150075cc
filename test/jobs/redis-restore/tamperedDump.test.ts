/**
 * A tampered Redis dump is never restored: redis-check-rdb checks it first, and a dump without
 * an RDB checksum (zeroed CRC64, which redis-check-rdb does not verify) is refused outright,
 * even when the object's SHA-256 was recomputed to match. The stack encrypts dumps on the host
 * (clientSideEncryption), so a planted plaintext dump gets this far only through the plaintext door
 * (ALLOW_PLAINTEXT=yes): behind it, the dump's own checks still hold.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import { headObject, listKeys, sandboxS3Client } from "../../host/support/aws";
import { runJobProcess } from "../../host/support/jobs";
import { redisCommand, snapshot } from "../../host/support/redis";

const VALUE = "amount=100.00;to=GA7XLM";

/** The dump with one value byte flipped and, optionally, its trailing CRC64 zeroed. */
function tamper(dump: Buffer, zeroChecksum: boolean): Buffer {
  const copy = Buffer.from(dump);
  const at = copy.indexOf(VALUE);
  expect(at).toBeGreaterThan(0);
  copy[at + "amount=".length] = "9".charCodeAt(0);
  if (zeroChecksum) copy.fill(0, copy.length - 8);
  return copy;
}

describe("redis-restore of a tampered dump", () => {
  let sb: Sandbox;
  let original: { key: string; body: Buffer; keyCount: string };

  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, hostId: "tamper-host" });
    await redisCommand(sb, ["SET", "payment:1", VALUE]);
    const backup = await runJobProcess("redis-backup", sb.env);
    expect(backup.code, backup.stderr).toBe(0);
    const [key] = await listKeys(sb, "redis/tamper-host/");
    // The plaintext dump: the local copy (the object in S3 is its ciphertext).
    const localDir = join(sb.hostConfig.local.root, "redis");
    original = {
      key,
      body: readFileSync(join(localDir, readdirSync(localDir)[0])),
      keyCount: String((await headObject(sb, key)).Metadata?.["key-count"]),
    };
    await redisCommand(sb, ["SET", "after-backup", "kept"]);
  });
  afterAll(async () => sb?.stop());

  test.each([
    [
      "checksum zeroed",
      true,
      "20300101T000000Z",
      "carries no RDB checksum (redis-check-rdb: saved with checksum disabled); refusing a dump whose content cannot be verified",
    ],
    ["checksum kept", false, "20300101T000001Z", "redis-check-rdb rejected"],
  ])(
    "a flipped value byte with the %s and a recomputed SHA-256 is refused before Redis is touched",
    async (_case, zeroChecksum, stamp, message) => {
      // Given a copy of the real dump, edited, uploaded with a matching SHA-256 and key count
      const body = tamper(original.body, zeroChecksum);
      const s3 = sandboxS3Client(sb);
      await s3.send(
        new PutObjectCommand({
          Bucket: sb.bucket.name,
          Key: `redis/tamper-host/${stamp}.rdb`,
          Body: body,
          Metadata: {
            sha256: createHash("sha256").update(body).digest("hex"),
            "key-count": original.keyCount,
          },
        }),
      );
      s3.destroy();
      const before = await snapshot(sb);

      // When a confirmed restore of it runs
      const run = await runJobProcess("redis-restore", {
        ...sb.env,
        BACKUP: stamp,
        CONFIRM: "yes-restore",
        ALLOW_PLAINTEXT: "yes",
      });

      // Then it is refused and Redis still holds what it held
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(message);
      expect(await snapshot(sb)).toEqual(before);
      expect(before["payment:1"]).toBe(VALUE);
    },
  );
});
