/**
 * `npm run console -- status` against the sandbox: two hosts (db-a, db-b) back up PostgreSQL,
 * Redis and configs into one moto through the real jobs, their health checks publish their
 * figures, and the console, run as a process with the operator's view (moto's endpoint and fake
 * keys, the prod stack naming the two hosts), reports what the bucket and CloudWatch hold.
 *
 * One PostgreSQL cluster stands in for both hosts: each host has its own engine config, spool and
 * repository (`postgres/<host>/`), and the cluster's archive_command points at the host whose
 * backup runs (ALTER SYSTEM, reloaded), so each repository's backup has its WAL, as on two hosts.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Dimension, Metric } from "../../infra/catalog";
import { configFileEntry } from "../../infra/catalog/engines";
import {
  alarmMetricContract,
  livenessAlarmKey,
  runbookLink,
} from "../../infra/content/aws/alarmDefinitions";
import { overrideHostConfig } from "../../infra/content/host/hostConfigFile";
import type { HostConfig } from "../../infra/catalog/hostConfig";
import { REPO_ROOT } from "../../infra/repoRoot";
import { HOST_FIGURES } from "../../scripts/console/status/hostMetrics";
import type { StatusReport } from "../../scripts/console/status/report";
import { engineFor } from "../../scripts/lib/engines";
import { SANDBOX_AWS_ENV, sandboxClientSettings } from "../../scripts/sandbox/moto";
import { setUpEngine, startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";
import { listObjects, readMetrics, type ListedObject, type MetricValue } from "../host/support/aws";
import { hostConfigVariant } from "../host/support/hostVariant";
import { runJobProcess } from "../host/support/jobs";
import { connectStellarInsights } from "../host/support/postgres";

const HOSTS = ["db-a", "db-b"] as const;
type Host = (typeof HOSTS)[number];
const DAY_MS = 86_400_000;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The console as an operator runs it: its own process, only the AWS environment given. */
function consoleRun(args: readonly string[], env: Readonly<Record<string, string>>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(REPO_ROOT, "scripts", "console", "main.ts"), ...args],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Pulumi.prod.yaml naming `hosts` instead of its own. */
function prodStackWithHosts(dir: string, hosts: readonly string[]): string {
  const prod = readFileSync(join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8");
  const edited = prod.replace(
    /^( {2}stellar-insights-backup:hosts:\n)(?: {4}.*\n)+/m,
    (_, head: string) => head + hosts.map((h) => `    ${h}: {}\n`).join(""),
  );
  expect(edited).not.toBe(prod);
  const file = join(dir, "Pulumi.prod.yaml");
  writeFileSync(file, edited);
  return file;
}

const newestTime = (objects: readonly ListedObject[]) =>
  new Date(Math.max(...objects.map((o) => o.lastModified.getTime()))).toISOString();

function lastValue(metrics: readonly MetricValue[], name: string, dims: Record<string, string>) {
  const wanted = JSON.stringify(Object.entries(dims).sort());
  const found = metrics.filter(
    (m) => m.name === name && JSON.stringify(Object.entries(m.dimensions).sort()) === wanted,
  );
  return found[0]?.values.at(-1);
}

test("every figure the console reads is a series one of the stack's alarms watches", () => {
  const contract = alarmMetricContract();
  for (const f of HOST_FIGURES)
    expect(contract, f.figure).toContainEqual({
      metricName: f.metric,
      dimensions: f.dimensions,
      groupBy: Dimension.host,
    });
});

describe("refused before any AWS call", () => {
  // An endpoint nothing listens on: a call made would fail with 1, not be refused with 2.
  const env = { ...SANDBOX_AWS_ENV, AWS_ENDPOINT_URL: "http://127.0.0.1:9" };

  test("a host the stack does not name: exit 2, the stack's hosts named", async () => {
    const run = await consoleRun(["status", "--host", "db-z"], env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")[0]).toBe(
      "console status: --host 'db-z' is not a host of stack prod; its hosts: prod-db-1",
    );
  }, 60_000);

  test("a bad option and a time without an offset: exit 2, one line naming it, then usage", async () => {
    const bad = await consoleRun(["status", "--hots", "db-a"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^console status: unknown option '--hots'\nusage: npm run console -- status \[--stack NAME\] /,
    );
    const now = await consoleRun(["status", "--now", "2026-12-09 08:00:00"], env);
    expect(now.code).toBe(2);
    expect(now.stderr.split("\n")[0]).toMatch(
      /^console status: --now "2026-12-09 08:00:00" has no UTC offset/,
    );
  }, 60_000);

  test("an unknown stack: exit 2, the stacks that exist named", async () => {
    const run = await consoleRun(["status", "--stack", "nosuch"], env);
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n")[0]).toMatch(
      /^console status: no stack 'nosuch': \/.*\/Pulumi\.nosuch\.yaml does not exist; stacks here: prod /,
    );
  }, 60_000);

  test("an unknown command: exit 2, the commands named", async () => {
    const run = await consoleRun(["restore"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "console: unknown command 'restore'; commands: status\nusage: npm run console -- <command> [options] [--help]\n",
    );
  }, 60_000);
});

describe("status on two hosts in the sandbox", () => {
  let sb: Sandbox;
  const env = {} as Record<Host, Record<string, string>>;
  const config = {} as Record<Host, HostConfig>;
  let operatorEnv: Record<string, string>;
  let stackArgs: string[];
  let metrics: MetricValue[];

  const job = async (host: Host, name: string, params: Record<string, string> = {}) => {
    const run = await runJobProcess(name, { ...env[host], ...params });
    expect(run.code, `${host} ${name}: ${run.stderr}`).toBe(0);
  };

  /** What the cluster's archive_command pushes to: `host`'s repository. */
  const archiveTo = async (host: Host) => {
    const pg = await connectStellarInsights(sb);
    try {
      const command = engineFor(config[host], host).descriptor.archiveCommand(
        config[host].postgres.engine,
      );
      await pg.query(`ALTER SYSTEM SET archive_command = $$${command}$$`);
      await pg.query("SELECT pg_reload_conf()");
    } finally {
      await pg.end();
    }
  };

  beforeAll(async () => {
    sb = await startSandbox({ hostId: "db-a" });
    // Given db-a, the sandbox's own host, and db-b with its own engine config, spool, repository,
    // local copies, run records and locks
    config["db-a"] = sb.hostConfig;
    env["db-a"] = { ...sb.env };
    const b = (...parts: string[]) => join(sb.dir, "db-b", ...parts);
    for (const dir of [b("etc"), b("backups"), b("state"), b("locks")])
      mkdirSync(dir, { recursive: true, mode: 0o755 });
    const overrides = {
      hostId: "db-b",
      local: { root: b("backups") },
      paths: { stateDir: b("state"), lockDir: b("locks") },
      postgres: {
        engine: {
          ...configFileEntry(engineFor(sb.hostConfig, "db-a").descriptor, b("etc")),
          spoolDir: b("spool"),
          logDir: b("logs"),
          lockDir: b("spool", "lock"),
        },
      },
    };
    config["db-b"] = overrideHostConfig(sb.hostConfig, overrides);
    env["db-b"] = hostConfigVariant(sb, "db-b", overrides);
    await setUpEngine(config["db-b"]);
    // When each backs up PostgreSQL, Redis and its configs, and runs its health check
    for (const host of HOSTS) {
      await archiveTo(host);
      await job(host, "pg-backup", { START_FAST: "yes" });
      await job(host, "redis-backup");
      await job(host, "config-backup");
    }
    await archiveTo("db-a");
    for (const host of HOSTS) {
      const run = await runJobProcess("health-check", { ...env[host], CHECKS: "disk,wal-archive" });
      expect([0, 1], `${host} health-check: ${run.stderr}`).toContain(run.code);
    }
    metrics = await readMetrics(sb);
    // And the operator's view: moto as AWS, the prod stack naming the two hosts
    operatorEnv = { ...SANDBOX_AWS_ENV, AWS_ENDPOINT_URL: sb.moto.endpoint };
    stackArgs = ["--stack", "prod", "--stack-file", prodStackWithHosts(sb.dir, HOSTS)];
  }, 900_000);
  afterAll(async () => sb?.stop());

  test("every figure is what the bucket and CloudWatch hold; all well, exit 0", async () => {
    const run = await consoleRun(["status", "--json", ...stackArgs], operatorEnv);
    expect(run.stderr).toBe("");
    const report = JSON.parse(run.stdout) as StatusReport;
    expect(report.hosts.map((h) => h.host)).toEqual([...HOSTS]);
    expect(report).toMatchObject({ stack: "prod", bucket: sb.bucket.name, alarms: [] });
    const now = new Date(report.now).getTime();
    const age = (iso: string) => Math.floor((now - new Date(iso).getTime()) / 1000);

    for (const status of report.hosts) {
      const host = status.host as Host;
      const engine = engineFor(config[host], host);
      const layout = engine.descriptor.s3Layout;
      const prefix = `postgres/${host}/`;
      const listing = await listObjects(sb, prefix);
      const store = (name: string) => status.stores.find((s) => s.store === name);

      // PostgreSQL: the engine's own listing names the backups the bucket holds
      const listed = await engine.list("s3");
      expect(listed.length, host).toBeGreaterThan(0);
      const newest = listed.at(-1)!.name;
      const dataOf = (name: string) =>
        listing.filter(
          (o) => new RegExp(layout.backupDataKey).exec(o.key.slice(prefix.length))?.[1] === name,
        );
      const pg = store("postgres")!;
      expect(pg.newest?.name).toBe(newest);
      expect(pg.newest?.time).toBe(newestTime(dataOf(newest)));
      expect(pg.newest?.ageSeconds).toBe(age(pg.newest!.time));
      expect(pg).toMatchObject({ prefix, limitSeconds: 24 * 3600, late: false });
      expect(status.recoverable.backups).toBe(listed.length);
      expect(status.recoverable.earliest).toBe(newestTime(dataOf(listed[0].name)));

      // WAL: the newest archived segment, the latest point a restore reaches
      const segments = listing.filter((o) =>
        new RegExp(layout.walSegmentKey).test(o.key.slice(prefix.length)),
      );
      expect(segments.length, host).toBeGreaterThan(0);
      const wal = store("wal")!;
      expect(wal.newest?.time).toBe(newestTime(segments));
      const segmentName = (o: ListedObject) =>
        new RegExp(layout.walSegmentKey).exec(o.key.slice(prefix.length))?.[1];
      const newestSegments = segments.filter(
        (o) => o.lastModified.toISOString() === wal.newest?.time,
      );
      expect(wal.newest?.name).toBe(newestSegments.map(segmentName).sort().at(-1));
      expect(wal).toMatchObject({ limitSeconds: 15 * 60, late: false });
      expect(status.recoverable.latest).toBe([wal.newest!.time, pg.newest!.time].sort().at(-1));

      // Redis: the newest dump; configs: the stalest set's pointer
      const dumps = (await listObjects(sb, `redis/${host}/`)).filter((o) => o.key.endsWith(".rdb"));
      const redis = store("redis")!;
      expect(redis.newest?.time).toBe(newestTime(dumps));
      expect(dumps.map((o) => o.key)).toContain(`redis/${host}/${redis.newest?.name}`);
      expect(redis).toMatchObject({ limitSeconds: 3600, late: false });
      const pointers = (await listObjects(sb, `configs/${host}/`)).filter((o) =>
        o.key.endsWith("/latest.json"),
      );
      expect(pointers.length, host).toBeGreaterThan(0);
      const configs = store("configs")!;
      expect(configs.newest?.time).toBe(
        new Date(Math.min(...pointers.map((o) => o.lastModified.getTime()))).toISOString(),
      );
      expect(configs).toMatchObject({ limitSeconds: 3600, late: false });

      // Figures: the health check's latest, the restore test's none (it did not run)
      const figure = (name: string) => status.figures.find((f) => f.figure === name)!;
      expect(figure("walArchiveLagSeconds")).toMatchObject({
        value: lastValue(metrics, Metric.walArchiveLagSeconds, { BackupType: "wal", Host: host }),
        limit: 15 * 60,
        over: false,
      });
      expect(figure("walArchiveLagSeconds").value).not.toBeNull();
      expect(figure("diskUsagePercent")).toMatchObject({
        value: lastValue(metrics, Metric.diskUsagePercent, { Job: "health-check", Host: host }),
        limit: 80,
      });
      expect(figure("diskUsagePercent").value).not.toBeNull();
      expect(figure("restoreTestRtoSeconds")).toMatchObject({ value: null, at: null });
    }
    expect(report.ok).toBe(report.hosts.every((h) => h.figures.every((f) => !f.over)));
    expect(run.code).toBe(report.ok ? 0 : 1);

    // The table says the same
    const table = await consoleRun(["status", ...stackArgs], operatorEnv);
    expect(table.code).toBe(run.code);
    for (const status of report.hosts) {
      expect(table.stdout).toContain(`host ${status.host}`);
      expect(table.stdout).toContain(status.stores[0].newest!.name);
    }
    expect(table.stdout).not.toContain("\u001b[");
    process.stdout.write(`\n${table.stdout}`);
  }, 120_000);

  test("two days on, db-b's backups are late: exit 1, LATE in the table", async () => {
    const later = new Date(Date.now() + 2 * DAY_MS).toISOString();
    const run = await consoleRun(
      ["status", "--json", "--host", "db-b", "--now", later, ...stackArgs],
      operatorEnv,
    );
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as StatusReport;
    expect(report.ok).toBe(false);
    expect(report.hosts.map((h) => h.host)).toEqual(["db-b"]);
    const pg = report.hosts[0].stores.find((s) => s.store === "postgres")!;
    expect(pg.late).toBe(true);
    expect(pg.newest!.ageSeconds).toBeGreaterThan(2 * 86_400 - 3600);
    expect(report.hosts[0].stores.every((s) => s.late)).toBe(true);
    // Nothing is published two days from now: no figure is made up
    expect(report.hosts[0].figures.every((f) => f.value === null)).toBe(true);

    const table = await consoleRun(
      ["status", "--host", "db-b", "--now", later, ...stackArgs],
      operatorEnv,
    );
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^ {2}postgres +\S+ +\S+ \S+ +2d(?: \d+h)? +1d +LATE$/m);
    process.stdout.write(`\n${table.stdout}`);
  }, 120_000);

  test("alarms in ALARM: the stack's own, with their runbook sections and hosts; exit 1", async () => {
    // Given three alarms in ALARM in moto: db-b's liveness, one on every host's series, and
    // another stack's
    const cw = new CloudWatchClient(sandboxClientSettings(sb.moto.endpoint, sb.hostConfig.region));
    const alarm = async (name: string, kind: "heartbeat" | "backup-age", host?: string) => {
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          AlarmDescription: `Planted by the test. What to do: ${runbookLink(kind)}`,
          Namespace: sb.hostConfig.metricNamespace,
          MetricName: kind === "heartbeat" ? Metric.jobHeartbeat : Metric.backupAgeSeconds,
          Dimensions: host
            ? [
                { Name: Dimension.job, Value: "health-check" },
                { Name: Dimension.host, Value: host },
              ]
            : [{ Name: Dimension.backupType, Value: "postgres" }],
          Statistic: "Maximum",
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "GreaterThanThreshold",
        }),
      );
      await cw.send(
        new SetAlarmStateCommand({ AlarmName: name, StateValue: "ALARM", StateReason: "test" }),
      );
    };
    const liveness = `StellarBackup-prod-${livenessAlarmKey("db-b")}`;
    try {
      await alarm(liveness, "heartbeat", "db-b");
      await alarm("StellarBackup-prod-backup-age-postgres", "backup-age");
      await alarm("StellarBackup-staging-backup-age-postgres", "backup-age");
    } finally {
      cw.destroy();
    }
    // When status runs for both hosts, then for db-a alone
    const run = await consoleRun(["status", "--json", ...stackArgs], operatorEnv);
    const onlyA = await consoleRun(
      ["status", "--json", "--host", "db-a", ...stackArgs],
      operatorEnv,
    );
    // Then the stack's two are listed with their sections (db-b's only for db-b), exit 1
    expect(run.code, run.stderr).toBe(1);
    expect((JSON.parse(run.stdout) as StatusReport).alarms).toEqual([
      {
        name: "StellarBackup-prod-backup-age-postgres",
        since: expect.any(String),
        reason: "test",
        runbook: "docs/runbook/alarms.md#alarm-backup-age",
        host: null,
      },
      {
        name: liveness,
        since: expect.any(String),
        reason: "test",
        runbook: "docs/runbook/alarms.md#alarm-heartbeat",
        host: "db-b",
      },
    ]);
    expect(onlyA.code).toBe(1);
    expect((JSON.parse(onlyA.stdout) as StatusReport).alarms.map((a) => a.name)).toEqual([
      "StellarBackup-prod-backup-age-postgres",
    ]);
    const table = await consoleRun(["status", ...stackArgs], operatorEnv);
    expect(table.stdout).toContain(`  ${liveness} (host db-b) since `);
    expect(table.stdout).toMatch(/: docs\/runbook\/alarms\.md#alarm-heartbeat$/m);
    process.stdout.write(`\n${table.stdout}`);
  }, 120_000);
});
