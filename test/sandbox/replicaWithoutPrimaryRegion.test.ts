/**
 * The day the replica exists for: the primary's region is gone. Client-side encryption is on (prod),
 * a Redis dump, a config archive and a backup of PostgreSQL through the stack's engine (its
 * repository encrypted with the SSM passphrase) are taken and copied to the replica bucket built
 * from the plan (moto does not replicate: test/host/support/aws.ts `copyLikeReplication`), and then
 * everything of the primary's region that a restore could lean on is made unusable in moto: its
 * envelope key and its bucket key disabled (KMS refuses a disabled key as it refuses an
 * unreachable region), and the passphrase parameter deleted there. The restores with
 * `SOURCE=replica` then succeed through the replica region's KMS (the envelope key's replica) and
 * SSM (the passphrase's copy there), PostgreSQL's on a host whose engine config pg-engine-setup
 * writes anew, as on a host rebuilt in the replica's region.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { DeleteParameterCommand, GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { engineConfigPath, postgresEngine } from "../../infra/catalog/engines";
import { engineFor } from "../../scripts/lib/engines";
import { fetchCipherPass } from "../../scripts/lib/postgres/engineSecrets";
import { configAt } from "../../scripts/lib/job/restoreSource";
import { createSandboxBucket } from "../../scripts/sandbox/bucket";
import { sandboxClientSettings, SANDBOX_AWS_ENV } from "../../scripts/sandbox/moto";
import { backupBucketLayout, loadPlan } from "../../scripts/sandbox/plan";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { copyLikeReplication, listKeys, sandboxS3Client } from "../host/support/aws";
import { runJobProcess } from "../host/support/jobs";
import { envelopeKeyArn, setBackupKeyEnabled } from "../host/support/kms";
import { redisCommand, snapshot } from "../host/support/redis";
import {
  anchorNames,
  archiveCurrentSegment,
  insertAnchors,
  postgresLogTail,
} from "../engine/restoreSupport";

const HOST = "dr-host";

describe("with the primary's region gone, the replica restores client-side encrypted backups", () => {
  let sb: Sandbox;
  let s3: S3Client;
  let envFile: string;
  let original: string;
  let rowsAtCopy: string[];
  const replicaRegion = () => sb.hostConfig.replica!.region;

  beforeAll(async () => {
    sb = await startSandbox({ hostId: HOST });
    const plan = loadPlan("prod", process.env.STELLAR_SANDBOX_SYNTH_DIR);
    expect(sb.hostConfig.clientSideEncryption).toBeDefined();
    expect(sb.envelopeKey?.replicaArn).toBeDefined();
    s3 = sandboxS3Client(sb);
    // Given a sealed Redis dump and config archive of this host
    await redisCommand(sb, ["MSET", "ledger:anchor", "GA7...XLM", "ledger:corridor", "USD-NGN"]);
    const redis = await runJobProcess("redis-backup", sb.env);
    expect(redis.code, redis.stderr).toBe(0);
    [envFile] = sb.hostConfig.configSets.app.paths;
    original = readFileSync(envFile, "utf8");
    const configs = await runJobProcess("config-backup", { ...sb.env, SETS: "app" });
    expect(configs.code, configs.stderr).toBe(0);
    // And a PostgreSQL backup in the encrypted repository, with rows archived after it
    const backup = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "yes" });
    expect(backup.code, backup.stderr + postgresLogTail(sb)).toBe(0);
    await insertAnchors(sb, ["archived-after-backup"]);
    await archiveCurrentSegment(sb);
    rowsAtCopy = await anchorNames(sb);
    // And their copies in the replica bucket the plan declares, in its region
    const replica = backupBucketLayout(plan, "replica");
    await createSandboxBucket(sb.moto.endpoint, replicaRegion(), replica);
    for (const prefix of [`redis/${HOST}/`, `configs/${HOST}/`, `postgres/${HOST}/`])
      for (const key of await listKeys(sb, prefix))
        await copyLikeReplication(s3, sb.bucket.name, replica.name, key);
    // When the primary's region is gone: its keys refuse, its passphrase parameter is no more
    await setBackupKeyEnabled(sb, false, envelopeKeyArn(sb));
    await setBackupKeyEnabled(sb, false, sb.bucket.kmsKeyArn);
    const ssm = new SSMClient(sandboxClientSettings(sb.moto.endpoint, sb.hostConfig.region));
    try {
      await ssm.send(
        new DeleteParameterCommand({
          Name: sb.hostConfig.clientSideEncryption!.cipherPassParameter,
        }),
      );
    } finally {
      ssm.destroy();
    }
    // And the live data differs from the backups
    await redisCommand(sb, ["FLUSHALL"]);
    await redisCommand(sb, ["SET", "ledger:after-backup", "1"]);
    writeFileSync(envFile, "API_SECRET=changed\n");
    await insertAnchors(sb, ["written-after-the-copy"]);
  }, 300_000);
  afterAll(async () => {
    s3?.destroy();
    await sb?.stop();
  });

  test("the primary's restore fails, loudly: its key is unusable", async () => {
    const run = await runJobProcess("redis-restore", { ...sb.env, CONFIRM: "yes-restore" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("is Disabled");
    expect(await snapshot(sb)).toEqual({ "ledger:after-backup": "1" });
  }, 120_000);

  test("redis-restore SOURCE=replica brings the dump's keys back", async () => {
    const run = await runJobProcess("redis-restore", {
      ...sb.env,
      SOURCE: "replica",
      CONFIRM: "yes-restore",
    });
    expect(run.code, run.stderr).toBe(0);
    expect(await snapshot(sb)).toEqual({
      "ledger:anchor": "GA7...XLM",
      "ledger:corridor": "USD-NGN",
    });
  }, 120_000);

  test("config-restore SOURCE=replica brings the archived file back", async () => {
    const run = await runJobProcess("config-restore", {
      ...sb.env,
      SET: "app",
      SOURCE: "replica",
      CONFIRM: "yes-restore",
    });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(envFile, "utf8")).toBe(original);
  }, 120_000);

  test("the PostgreSQL repository passphrase is read in the replica's region, and nowhere else now", async () => {
    const name = sb.hostConfig.clientSideEncryption!.cipherPassParameter;
    const env = { ...process.env, ...SANDBOX_AWS_ENV };
    const credentials = {
      accessKeyId: SANDBOX_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: SANDBOX_AWS_ENV.AWS_SECRET_ACCESS_KEY,
      sessionToken: SANDBOX_AWS_ENV.AWS_SESSION_TOKEN,
    };
    await expect(fetchCipherPass(sb.hostConfig, name, env, credentials)).rejects.toThrow(
      `does not exist in ${sb.hostConfig.region}`,
    );
    const atReplica = configAt(sb.hostConfig, "replica");
    const pass = await fetchCipherPass(atReplica, name, env, credentials);
    const ssm = new SSMClient(sandboxClientSettings(sb.moto.endpoint, replicaRegion()));
    try {
      const stored = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      expect(pass).toBe(stored.Parameter?.Value);
    } finally {
      ssm.destroy();
    }
  });

  test("a host rebuilt in the replica's region: pg-engine-setup reads the passphrase there, and pg-restore SOURCE=replica brings the rows back", async () => {
    // The stack's engine reads the replica bucket (descriptor capability), or this restore is not built.
    expect(postgresEngine(sb.hostConfig.postgres.engine.kind).readsOtherBucket).toBe(true);
    const configFile = engineConfigPath(sb.hostConfig.postgres.engine);
    const name = sb.hostConfig.clientSideEncryption!.cipherPassParameter;
    const before = await anchorNames(sb);
    expect(before).toContain("written-after-the-copy");

    // Given an engine config without the passphrase: the repository cannot be read from the replica
    await engineFor(sb.hostConfig, HOST).writeConfig({
      staticCredentials: {
        accessKeyId: SANDBOX_AWS_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: SANDBOX_AWS_ENV.AWS_SECRET_ACCESS_KEY,
      },
    });
    const without = await runJobProcess("pg-restore", {
      ...sb.env,
      SOURCE: "replica",
      CONFIRM: "yes-restore",
    });
    expect(without.code).toBe(1);
    expect(without.stderr).toContain(
      "the repository cannot be decrypted with the passphrase in the engine config",
    );
    expect(await anchorNames(sb)).toEqual(before);

    // When the install's engine step runs with no engine config, as on a rebuilt host
    rmSync(configFile);
    const setup = await runJobProcess("pg-engine-setup", sb.env);
    expect(setup.code, setup.stderr).toBe(0);
    const log = setup.stdout + setup.stderr;
    expect(log).toContain(
      `${name} does not exist in ${sb.hostConfig.region}; reading its copy in ${replicaRegion()}`,
    );
    expect(log).toContain(`read the repository passphrase ${name} in ${replicaRegion()}`);

    // Then the confirmed restore from the replica brings back every row archived before the copy
    const run = await runJobProcess("pg-restore", {
      ...sb.env,
      SOURCE: "replica",
      CONFIRM: "yes-restore",
    });
    expect(run.code, run.stderr + postgresLogTail(sb)).toBe(0);
    expect(await anchorNames(sb)).toEqual(rowsAtCopy);
  }, 600_000);
});
