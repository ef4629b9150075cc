/**
 * The documents `pulumi up` ships, run in the sandbox as the SSM Agent would run them on a host:
 * the install document installs the planned artifacts from the (moto) bucket, then every job and
 * restore runs through its own document, against real Redis, PostgreSQL and moto.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HOST_PATHS, type DocumentKey } from "../../infra/catalog";
import {
  hostRoot,
  plannedDocument,
  sandboxS3,
  sendCommand,
  uploadPlannedObjects,
} from "../../scripts/sandbox/agent";
import { acquireLock } from "../../scripts/lib/job/lock";
import { loadPlan, type Plan } from "../../scripts/sandbox/plan";
import { InvalidParametersError, resolveParameters } from "../../scripts/sandbox/runDocument";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";

interface ShippedArtifact {
  name: string;
  key: string;
  sha256: string;
  dest: string;
}

let sb: Sandbox;
let plan: Plan;
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const redis = (...args: string[]) =>
  execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(sb.redis?.port), ...args], {
    encoding: "utf8",
  }).trim();
const send = (key: DocumentKey, parameters?: Record<string, string>) =>
  sendCommand(plan, sb, key, { parameters });

beforeAll(async () => {
  sb = await startSandbox({ redis: true, postgres: true });
  plan = loadPlan("prod", process.env.STELLAR_SANDBOX_SYNTH_DIR);
  await uploadPlannedObjects(plan, sb);
}, 120_000);

afterAll(async () => {
  await sb?.stop();
});

describe("install document", () => {
  test("installs every planned artifact at its host path, each verified by SHA-256", async () => {
    const run = await send("install", { SetUpPostgresEngine: "no" });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const artifacts = plan.outputs.hostArtifacts as ShippedArtifact[];
    expect(artifacts.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        "host-config",
        "postgresql",
        "redis",
        "job-redis-backup",
        "job-health-check",
      ]),
    );
    for (const artifact of artifacts) {
      const installed = join(hostRoot(sb), artifact.dest);
      expect(sha256(readFileSync(installed)), artifact.name).toBe(artifact.sha256);
      expect(run.stdout).toContain(`installed ${artifact.dest} ${artifact.sha256}`);
    }
    expect(run.stdout.trim().split("\n").at(-1)).toBe("install complete");
  });

  test("refuses a tampered artifact and installs nothing", async () => {
    const artifacts = plan.outputs.hostArtifacts as ShippedArtifact[];
    const target = artifacts.find((a) => a.name === "host-config") as ShippedArtifact;
    const installed = join(hostRoot(sb), target.dest);
    writeFileSync(installed, "left by the previous install\n");
    const s3 = sandboxS3(sb);
    await s3.send(
      new PutObjectCommand({ Bucket: sb.bucket.name, Key: target.key, Body: '{"evil":true}' }),
    );
    try {
      const run = await send("install", { SetUpPostgresEngine: "no" });
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain(
        `SHA-256 mismatch for s3://${sb.bucket.name}/${target.key}: nothing installed`,
      );
      expect(readFileSync(installed, "utf8")).toBe("left by the previous install\n");
    } finally {
      await uploadPlannedObjects(plan, sb);
      s3.destroy();
    }
  });

  test("on a PostgreSQL host it sets up the stack's engine and proves WAL archiving into every repository", async () => {
    const run = await send("install");
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /pgBackRest 2\.\d+: config written to \S+postgres-engine\.conf; repositories ready for stanza main/,
    );
    expect(run.stdout).toMatch(/pgBackRest 2\.\d+: WAL archiving works into every repository/);
    expect(run.stdout.trim().split("\n").at(-1)).toBe("install complete");
  }, 180_000);

  test("an engine that cannot reach S3 fails the install, naming the engine's error", async () => {
    await sb.tlsFront.stop();
    try {
      // The engine retries for its I/O timeout (60 s by default, several times); 3 s keeps the test short.
      const run = await sendCommand(plan, sb, "install", {
        hostEnv: { PGBACKREST_IO_TIMEOUT: "3" },
      });
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(
        /pg-engine-setup FAILED .*pgBackRest (stanza-create|check) failed: \[\d{3}\] unable to connect to 'localhost:\d+'/,
      );
    } finally {
      await sb.tlsFront.start();
    }
  }, 300_000);
});

describe("jobs through their documents", () => {
  beforeAll(async () => {
    expect((await send("install", { SetUpPostgresEngine: "no" })).exitCode).toBe(0);
  });

  test("pg-backup, then pg-verify, through their documents", async () => {
    const backup = await send("pg-backup", { StartFast: "yes" });
    expect(backup.exitCode, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(
      /full backup \S+ in S3 \(the plan takes a full backup on every run\), read from the primary: .* of data, .* stored/,
    );
    const verify = await send("pg-verify");
    expect(verify.exitCode, verify.stderr).toBe(0);
    expect(verify.stdout).toContain("PostgreSQL backups verified in s3 and local");
  }, 300_000);

  test("redis-backup, then redis-restore: a dry run changes nothing, a confirmed one brings the keys back", async () => {
    redis("SET", "drill:anchor", "GA7...XLM");
    redis("SET", "drill:corridor", "USD-NGN");
    const backup = await send("redis-backup");
    expect(backup.exitCode, backup.stderr).toBe(0);

    redis("FLUSHALL");
    redis("SET", "drill:after-backup", "1");
    const dry = await send("redis-restore");
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(redis("EXISTS", "drill:anchor")).toBe("0");
    expect(redis("EXISTS", "drill:after-backup")).toBe("1");

    const restore = await send("redis-restore", { Confirm: "yes-restore" });
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(redis("GET", "drill:anchor")).toBe("GA7...XLM");
    expect(redis("GET", "drill:corridor")).toBe("USD-NGN");
    expect(redis("EXISTS", "drill:after-backup")).toBe("0");
  }, 120_000);

  test("config-backup, then config-restore puts the exact bytes back", async () => {
    const envFile = sb.hostConfig.configSets.app.paths[0];
    const original = readFileSync(envFile);
    expect((await send("config-backup")).exitCode).toBe(0);

    writeFileSync(envFile, "DATABASE_URL=postgres://wrong\n");
    const dry = await send("config-restore", { Set: "app" });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(readFileSync(envFile, "utf8")).toBe("DATABASE_URL=postgres://wrong\n");

    const restore = await send("config-restore", { Set: "app", Confirm: "yes-restore" });
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(readFileSync(envFile).equals(original)).toBe(true);
  }, 60_000);

  test("logs-ship and health-check run and succeed", async () => {
    const logs = await send("logs-ship");
    expect(logs.exitCode, logs.stderr).toBe(0);
    const health = await send("health-check", { Checks: "s3,disk,redis" });
    expect(health.exitCode, health.stderr).toBe(0);
  }, 60_000);

  test("a scheduled job that finds its lock held reports success to SSM (no page); a restore keeps exit 75", async () => {
    const jobLock = await acquireLock(sb.hostConfig.paths.lockDir, "logs-ship");
    const restoreLock = await acquireLock(sb.hostConfig.paths.lockDir, "config-restore");
    try {
      const skipped = await send("logs-ship");
      expect(skipped.exitCode, skipped.stderr).toBe(0);
      expect(skipped.stdout).toContain("logs-ship SKIPPED on ");
      expect(skipped.stdout).toContain(
        "exit 75: skipped, another run holds the lock (reported as success)",
      );

      const restore = await send("config-restore", { Set: "app" });
      expect(restore.exitCode).toBe(75);
      expect(restore.stdout).toContain("config-restore SKIPPED on ");
    } finally {
      await jobLock.release();
      await restoreLock.release();
    }
  });

  test("a job whose bundle is not installed says so and which document installs it", async () => {
    const bundle = join(hostRoot(sb), HOST_PATHS.jobsDir, "pg-restore-test.mjs");
    renameSync(bundle, `${bundle}.aside`);
    try {
      const run = await send("pg-restore-test");
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain(
        "pg-restore-test is not installed on this host: run the StellarBackup-prod-install document first",
      );
    } finally {
      renameSync(`${bundle}.aside`, bundle);
    }
  });
});

describe("document parameters", () => {
  const HOSTILE: readonly (readonly [string, string])[] = [
    ["shell metacharacters", "app;rm -rf /"],
    ["command substitution", "$(touch /tmp/pwned)"],
    ["backticks", "`id`"],
    ["a newline", "latest\nrm -rf /"],
    ["path traversal", "../../etc/passwd"],
    ["a unicode look-alike", "l\u0430test"],
    ["a fullwidth digit", "2024\uff10115T020000Z"],
  ];

  test("every parameter of every shipped document refuses every hostile value", () => {
    const documents = plan.resources.filter((r) => r.type === "aws:ssm/document:Document");
    expect(documents.length).toBe(12);
    let checked = 0;
    for (const doc of documents) {
      const content = String(doc.inputs.content);
      const parameters = Object.keys(JSON.parse(content).parameters ?? {});
      for (const name of parameters) {
        for (const [, value] of HOSTILE) {
          expect(
            () => resolveParameters(content, { [name]: value }),
            `${String(doc.inputs.name)} ${name}`,
          ).toThrow(InvalidParametersError);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(80);
  });

  test("the restores act only on the exact confirmation", () => {
    for (const key of ["pg-restore", "redis-restore", "config-restore"] as const) {
      const content = plannedDocument(plan, key);
      expect(
        resolveParameters(content, key === "config-restore" ? { Set: "app" } : {}).Confirm,
      ).toBe("dry-run");
      expect(() => resolveParameters(content, { Confirm: "yes", Set: "app" })).toThrow(
        InvalidParametersError,
      );
    }
  });

  test("a refused value reaches no host", async () => {
    const marker = join(sb.dir, "pwned");
    await expect(send("config-restore", { Set: `app$(touch ${marker})` })).rejects.toThrow(
      InvalidParametersError,
    );
    expect(existsSync(marker)).toBe(false);
  });
});
