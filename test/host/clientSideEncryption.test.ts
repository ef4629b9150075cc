/**
 * Client-side encryption of Redis dumps and config archives (prod turns `clientSideEncryption` on,
 * so the sandbox runs with it): against real Redis, real files and moto's S3 and KMS, jobs run as
 * processes. A marker written before the backup is in the local copy and not in the object; each
 * backup restores with the key and is refused without it, with a message naming the object.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CLIENT_SIDE_FORMAT, CLIENT_SIDE_METADATA } from "../../infra/catalog/clientSideEncryption";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { getObjectBytes, headObject, listKeys, putObject } from "./support/aws";
import {
  createOtherKey,
  envelopeKeyArn,
  pointBackupAlias,
  setBackupKeyEnabled,
} from "./support/kms";
import { runJobProcess, type JobRun } from "./support/jobs";
import { redisCommand, snapshot } from "./support/redis";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
/** 16 random hex characters: below Redis's 20-byte LZF threshold, so the dump keeps it verbatim. */
const marker = (tag: string) => `${tag}${randomBytes(8).toString("hex")}`;
/** The AWS Encryption SDK's message format version 2 starts with byte 0x02 (its message format reference). */
const ESDK_V2 = 0x02;

/** The on-call line: the last line of stderr. */
const lastLine = (run: JobRun) => run.stderr.trim().split("\n").at(-1) ?? "";

describe("Redis dumps, client-side encrypted", () => {
  let sb: Sandbox;
  let value: string;
  let dumpKey: string;
  const restore = (extra: Record<string, string> = {}) =>
    runJobProcess("redis-restore", { ...sb.env, CONFIRM: "yes-restore", ...extra });

  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, hostId: "cse-redis" });
    expect(sb.hostConfig.clientSideEncryption).toBeDefined();
    value = marker("rk");
    await redisCommand(sb, ["MSET", "marker", value, "other", "x"]);
    const backup = await runJobProcess("redis-backup", sb.env);
    expect(backup.code, backup.stderr).toBe(0);
    [dumpKey] = await listKeys(sb, "redis/cse-redis/");
  });
  afterAll(async () => sb?.stop());

  test("the object holds no plaintext; its metadata names the format, the key and the ciphertext's SHA-256", async () => {
    const body = await getObjectBytes(sb, dumpKey);
    const head = await headObject(sb, dumpKey);
    const localDir = join(sb.hostConfig.local.root, "redis");
    const local = readFileSync(join(localDir, readdirSync(localDir)[0]));

    // The marker is findable in plaintext (the local copy) but not in what left the host
    expect(local.includes(value)).toBe(true);
    expect(local.subarray(0, 5).toString()).toBe("REDIS");
    expect(body.includes(value)).toBe(false);
    expect(body.includes("REDIS")).toBe(false);
    expect(body[0]).toBe(ESDK_V2);
    expect(head.Metadata?.[CLIENT_SIDE_METADATA.format]).toBe(CLIENT_SIDE_FORMAT);
    expect(head.Metadata?.[CLIENT_SIDE_METADATA.keyArn]).toBe(envelopeKeyArn(sb));
    expect(head.Metadata?.sha256).toBe(sha256(body));
    expect(head.Metadata?.["key-count"]).toBe("2");
  });

  test("restores with the key", async () => {
    await redisCommand(sb, ["FLUSHALL"]);
    await redisCommand(sb, ["SAVE"]);
    const run = await restore();
    expect(run.code, run.stderr).toBe(0);
    expect(await snapshot(sb)).toEqual({ marker: value, other: "x" });
  }, 120_000);

  test("refuses when the backup key is disabled, naming the key and what to do", async () => {
    await setBackupKeyEnabled(sb, false);
    try {
      const run = await restore();
      expect(run.code).toBe(1);
      expect(lastLine(run)).toContain(`the backup key ${envelopeKeyArn(sb)}`);
      expect(lastLine(run)).toContain("is Disabled");
      expect(lastLine(run)).toContain("enable the key");
    } finally {
      await setBackupKeyEnabled(sb, true);
    }
  }, 120_000);

  test("refuses when this host's key is another one, naming the object and both keys", async () => {
    const other = await createOtherKey(sb);
    await pointBackupAlias(sb, other);
    try {
      const run = await restore();
      expect(run.code).toBe(1);
      const line = lastLine(run);
      expect(line).toContain(
        `cannot decrypt s3://${sb.bucket.name}/${dumpKey} with the backup key ${other}`,
      );
      expect(line).toContain(
        `It was encrypted under ${envelopeKeyArn(sb)}, not this host's ${other}`,
      );
      expect(line).toContain("nothing was changed");
    } finally {
      await pointBackupAlias(sb, envelopeKeyArn(sb));
    }
    expect(await snapshot(sb)).toEqual({ marker: value, other: "x" });
  }, 120_000);

  test("refuses a tampered ciphertext even when its SHA-256 metadata was forged to match", async () => {
    const body = Buffer.from(await getObjectBytes(sb, dumpKey));
    const head = await headObject(sb, dumpKey);
    body[body.length - 200] ^= 0x01;
    const stamp = "20300101T000000Z";
    const forged = dumpKey.replace(/\d{8}T\d{6}Z/, stamp);
    // Planted under its own name too, so only the ciphertext differs from a good object.
    await putObject(sb, dumpKey, body, head.Metadata);
    try {
      const run = await restore({ BACKUP: dumpKey.split("/").at(-1)!.replace(".rdb", "") });
      expect(run.code).toBe(1);
      expect(lastLine(run)).toContain(
        `s3://${sb.bucket.name}/${dumpKey} failed authentication while decrypting`,
      );
      expect(lastLine(run)).toContain("nothing was changed");
    } finally {
      body[body.length - 200] ^= 0x01;
      await putObject(sb, dumpKey, body, head.Metadata);
    }
    // And a good ciphertext copied under another name carries the wrong encryption context
    await putObject(sb, forged, body, head.Metadata);
    const moved = await restore({ BACKUP: stamp });
    expect(moved.code).toBe(1);
    expect(lastLine(moved)).toContain(
      `s3://${sb.bucket.name}/${forged} was encrypted for another place`,
    );
    expect(lastLine(moved)).toContain(`stellar-backup-object="${dumpKey}"`);
  }, 120_000);

  test("refuses a plaintext dump while encryption is on, and takes it with ALLOW_PLAINTEXT=yes", async () => {
    const localDir = join(sb.hostConfig.local.root, "redis");
    const plain = readFileSync(join(localDir, readdirSync(localDir)[0]));
    const key = "redis/cse-redis/20310101T000000Z.rdb";
    await putObject(sb, key, plain, { "key-count": "2" });
    await redisCommand(sb, ["FLUSHALL"]);
    await redisCommand(sb, ["SAVE"]);

    const refused = await restore({ BACKUP: "20310101T000000Z" });
    expect(refused.code).toBe(1);
    expect(lastLine(refused)).toContain(
      `s3://${sb.bucket.name}/${key} is not client-side encrypted`,
    );
    expect(lastLine(refused)).toContain("AllowPlaintext=yes");
    expect(await snapshot(sb)).toEqual({});

    const allowed = await restore({ BACKUP: "20310101T000000Z", ALLOW_PLAINTEXT: "yes" });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(await snapshot(sb)).toEqual({ marker: value, other: "x" });
  }, 120_000);
});

describe("config archives, client-side encrypted", () => {
  let sb: Sandbox;
  let envFile: string;
  let line: string;
  let archiveKey: string;
  const env = () => ({ ...sb.env, SETS: "app" });

  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, redis: false, hostId: "cse-cfg" });
    [envFile] = sb.hostConfig.configSets.app.paths;
    line = `API_SECRET=${marker("cfg")}`;
    writeFileSync(envFile, `${readFileSync(envFile, "utf8")}${line}\n`, { mode: 0o600 });
    const backup = await runJobProcess("config-backup", env());
    expect(backup.code, backup.stderr).toBe(0);
    archiveKey = (await listKeys(sb, "configs/cse-cfg/app/")).find((k) => k.endsWith(".tar.gz"))!;
  });
  afterAll(async () => sb?.stop());

  test("the archive that leaves the host is no gzip and holds no .env line; the local copy does", async () => {
    const body = await getObjectBytes(sb, archiveKey);
    const localDir = join(sb.hostConfig.local.root, "configs");
    const local = join(localDir, readdirSync(localDir)[0]);
    const localText = execFileSync("tar", ["-xzOf", local]).toString();

    expect(localText).toContain(line);
    expect(body.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(false);
    expect(body[0]).toBe(ESDK_V2);
    expect(body.includes(line)).toBe(false);
    expect(body.includes(line.split("=")[1])).toBe(false);
    expect((await headObject(sb, archiveKey)).Metadata?.[CLIENT_SIDE_METADATA.format]).toBe(
      CLIENT_SIDE_FORMAT,
    );
  });

  test("restores with the key, and refuses without it (key disabled) naming what to do", async () => {
    writeFileSync(envFile, "API_SECRET=changed\n");
    await setBackupKeyEnabled(sb, false);
    try {
      const refused = await runJobProcess("config-restore", {
        ...env(),
        SET: "app",
        CONFIRM: "yes-restore",
      });
      expect(refused.code).toBe(1);
      expect(lastLine(refused)).toContain("is Disabled");
      expect(readFileSync(envFile, "utf8")).toBe("API_SECRET=changed\n");
    } finally {
      await setBackupKeyEnabled(sb, true);
    }
    const run = await runJobProcess("config-restore", {
      ...env(),
      SET: "app",
      CONFIRM: "yes-restore",
    });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(envFile, "utf8")).toContain(line);
  }, 120_000);
});
