/**
 * runJob: run metrics on every outcome (failure included), the one-line message for on-call,
 * JSON-lines logs without secrets, the lock across processes, the run record for the health check;
 * a run refused for bad parameters is not a run (no metric, no run record, exit 64).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Metric } from "../../../infra/catalog";
import { JobError, UsageError } from "../../../scripts/lib/job/errors";
import { runCommand } from "../../../scripts/lib/job/exec";
import { acquireLock } from "../../../scripts/lib/job/lock";
import { readRunRecord } from "../../../scripts/lib/job/runRecords";
import { runJob } from "../../../scripts/lib/job/runner";
import { SANDBOX_AWS_ENV } from "../../../scripts/sandbox/moto";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import {
  metricDelta,
  metricSamples,
  readMetrics,
  onHost,
  type MetricValue,
} from "../../host/support/aws";
import { runJobProcess } from "../../host/support/jobs";

interface Captured {
  code: number;
  stdout: string[];
  stderr: string[];
}

describe("runJob", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, redis: false, hostId: "runner-host" });
    // The SDK inside runJob takes credentials from this process's environment, as on a host.
    Object.assign(process.env, SANDBOX_AWS_ENV);
  });
  afterAll(async () => sb?.stop());

  async function run(
    job: Parameters<typeof runJob>[0],
    body: Parameters<typeof runJob>[1],
    env: Record<string, string> = sb.env,
    deadlineSeconds?: number,
  ): Promise<Captured> {
    const out: Captured = { code: -1, stdout: [], stderr: [] };
    out.code = await runJob(job, body, {
      env,
      deadlineSeconds,
      writeStdout: (l) => out.stdout.push(l),
      writeStderr: (l) => out.stderr.push(l),
    });
    return out;
  }

  test("a failing run exits 1, says why in one line, and still publishes every run metric and the row metrics it recorded", async () => {
    const before = await readMetrics(sb);
    const result = await run("redis-backup", async (ctx) => {
      ctx.metrics.rowMetric("redis", Metric.backupBytes, 123);
      throw new JobError(
        "Redis BGSAVE did not finish within 600 s",
        "check the Redis log and disk",
      );
    });
    const after = await readMetrics(sb);

    expect(result.code).toBe(1);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(
      /^redis-backup FAILED on runner-host after \d+\.\d s: Redis BGSAVE did not finish within 600 s\. Next: check the Redis log and disk\.$/,
    );
    const job = onHost(sb, { Job: "redis-backup" });
    expect(metricDelta(before, after, "JobFailed", job)).toBe(1);
    expect(metricDelta(before, after, "JobSucceeded", job)).toBe(0);
    expect(metricDelta(before, after, "JobHeartbeat", job)).toBe(1);
    expect(
      metricSamples(after, "JobDurationSeconds", job) -
        metricSamples(before, "JobDurationSeconds", job),
    ).toBe(1);
    expect(metricDelta(before, after, "BackupBytes", onHost(sb, { BackupType: "redis" }))).toBe(
      123,
    );
    const record = await readRunRecord(sb.hostConfig.paths.stateDir, "redis-backup");
    expect(record).toEqual(
      expect.objectContaining({ job: "redis-backup", succeeded: false, exitCode: 1 }),
    );
  });

  test("an unexpected error (a bug) fails the same way, with its stack in the log only", async () => {
    const result = await run("logs-ship", async () => {
      throw new TypeError("cannot read properties of undefined");
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([
      expect.stringMatching(
        /^logs-ship FAILED on runner-host after [\d.]+ s: cannot read properties of undefined\.$/,
      ),
    ]);
    const failed = result.stdout.map((l) => JSON.parse(l)).find((l) => l.msg === "failed");
    expect(failed.fields.stack).toContain("TypeError");
  });

  test("a successful run publishes success, prints its summary and returns the body's exit code", async () => {
    const before = await readMetrics(sb);
    const result = await run("health-check", async () => ({
      exitCode: 1,
      summary: "WARNING: disk",
    }));
    const after = await readMetrics(sb);
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual(["WARNING: disk"]);
    expect(metricDelta(before, after, "JobSucceeded", onHost(sb, { Job: "health-check" }))).toBe(1);
    expect(metricDelta(before, after, "JobFailed", onHost(sb, { Job: "health-check" }))).toBe(0);
  });

  test("logs are JSON lines with time, level, job, msg and fields, secrets redacted", async () => {
    const result = await run("config-backup", async (ctx) => {
      ctx.log.info("connecting", {
        user: "backup",
        password: "hunter2",
        nested: { apiToken: "t0k", key: "configs/a" },
      });
    });
    const lines = result.stdout.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect(lines.map((l) => Object.keys(l).filter((k) => k !== "fields"))).toEqual(
      lines.map(() => ["time", "level", "job", "msg"]),
    );
    expect(lines.find((l) => l.msg === "connecting").fields).toEqual({
      user: "backup",
      password: "[redacted]",
      nested: { apiToken: "[redacted]", key: "configs/a" },
    });
    expect(result.stdout.join("\n")).not.toContain("hunter2");
  });

  /** Data points of `job`'s run metrics published between two readings, per metric. */
  const RUN_METRICS = ["JobFailed", "JobSucceeded", "JobHeartbeat", "JobDurationSeconds"] as const;
  function runMetricSamples(before: MetricValue[], after: MetricValue[], job: string) {
    const dims = onHost(sb, { Job: job });
    return Object.fromEntries(
      RUN_METRICS.map((m) => [m, metricSamples(after, m, dims) - metricSamples(before, m, dims)]),
    );
  }
  const NO_RUN_METRICS = Object.fromEntries(RUN_METRICS.map((m) => [m, 0]));

  test("a run refused for bad parameters exits 64 and is not a run: no metric at all, the last run record kept", async () => {
    const good = await run("config-backup", async () => undefined);
    expect(good.code).toBe(0);
    const lastRun = await readRunRecord(sb.hostConfig.paths.stateDir, "config-backup");
    expect(lastRun).toEqual(expect.objectContaining({ succeeded: true, exitCode: 0 }));

    const before = await readMetrics(sb);
    const result = await run(
      "config-backup",
      async (ctx) => {
        ctx.metrics.rowMetric("configs", Metric.backupBytes, 5);
        ctx.params.yesNo("SETS_TYPO", false);
        ctx.params.check();
      },
      { ...sb.env, SETS_TYPO: "true" },
    );
    const after = await readMetrics(sb);

    expect(result.code).toBe(64);
    expect(result.stderr).toEqual([
      'config-backup REFUSED on runner-host: bad parameters: SETS_TYPO="true" is not allowed: expected yes or no. Next: nothing was changed; fix the parameters and run again. Not a run (exit 64): no metrics, no run record.',
    ]);
    expect(runMetricSamples(before, after, "config-backup")).toEqual(NO_RUN_METRICS);
    expect(
      metricSamples(after, "BackupBytes", onHost(sb, { BackupType: "configs" })) -
        metricSamples(before, "BackupBytes", onHost(sb, { BackupType: "configs" })),
    ).toBe(0);
    expect(await readRunRecord(sb.hostConfig.paths.stateDir, "config-backup")).toEqual(lastRun);
    const logged = result.stdout.map((l) => JSON.parse(l));
    expect(logged.map((l) => l.msg)).toEqual(["started", "refused: nothing done"]);
  });

  test("a UsageError found after the lock (a restore target that does not exist) is refused the same way", async () => {
    const before = await readMetrics(sb);
    const result = await run("redis-restore", async () => {
      throw new UsageError(
        "no Redis dump named 20240101T000000Z",
        "nothing was changed; list them",
      );
    });
    const after = await readMetrics(sb);
    expect(result.code).toBe(64);
    expect(result.stderr[0]).toMatch(/^redis-restore REFUSED on runner-host: no Redis dump named/);
    expect(runMetricSamples(before, after, "redis-restore")).toEqual(NO_RUN_METRICS);
    expect(await readRunRecord(sb.hostConfig.paths.stateDir, "redis-restore")).toBeUndefined();
  });

  test("a job run by hand with a bad parameter (START_FAST=true node pg-backup.mjs) exits 64 without JobFailed or a failed run record", async () => {
    const before = await readMetrics(sb);
    const hand = await runJobProcess("pg-backup", { ...sb.env, START_FAST: "true" });
    const after = await readMetrics(sb);
    expect(hand.code).toBe(64);
    expect(hand.stderr).toBe(
      'pg-backup REFUSED on runner-host: bad parameters: START_FAST="true" is not allowed: expected yes or no. Next: nothing was changed; fix the parameters and run again. Not a run (exit 64): no metrics, no run record.\n',
    );
    expect(hand.stdout).not.toContain("metrics not published");
    expect(runMetricSamples(before, after, "pg-backup")).toEqual(NO_RUN_METRICS);
    expect(await readRunRecord(sb.hostConfig.paths.stateDir, "pg-backup")).toBeUndefined();
  });

  test("without a readable host config it exits 64 and says no metrics went out", async () => {
    const result = await run("redis-backup", async () => undefined, {
      ...sb.env,
      STELLAR_BACKUP_CONFIG: "/nonexistent/host-config.json",
    });
    expect(result.code).toBe(64);
    expect(result.stderr[0]).toBe(
      "redis-backup FAILED on this host after 0.0 s: cannot read the host config /nonexistent/host-config.json (ENOENT). Next: run the stack's install document on this host, or set STELLAR_BACKUP_CONFIG to the file's path. No metrics were published; the JobHeartbeat alarm will fire.",
    );
  });

  test("a second run of a job while one holds the lock exits 75 without running: JobSkippedBusy, no JobFailed, no heartbeat", async () => {
    const lock = await acquireLock(sb.hostConfig.paths.lockDir, "logs-ship");
    try {
      const before = await readMetrics(sb);
      const second = await runJobProcess("logs-ship", sb.env);
      const after = await readMetrics(sb);
      expect(second.code).toBe(75);
      expect(second.stderr).toBe("");
      expect(second.stdout).toContain(
        `logs-ship SKIPPED on runner-host: another logs-ship run is still going (pid ${process.pid}, started ${/started ([^)]+)\)/.exec(second.stdout)?.[1]}); not starting a second one. Not a failure (exit 75); if it repeats, wait for it to finish, or check 'ps -p ${process.pid}'; the lock is ${lock.path}.`,
      );
      expect(second.logs.some((l) => l.msg === "log files found")).toBe(false);
      expect(metricDelta(before, after, "JobSkippedBusy", onHost(sb, { Job: "logs-ship" }))).toBe(
        1,
      );
      expect(metricDelta(before, after, "JobFailed", onHost(sb, { Job: "logs-ship" })) ?? 0).toBe(
        0,
      );
      expect(
        metricDelta(before, after, "JobHeartbeat", onHost(sb, { Job: "logs-ship" })) ?? 0,
      ).toBe(0);
    } finally {
      await lock.release();
    }
    const third = await runJobProcess("logs-ship", sb.env);
    expect(third.code).toBe(0);
  });

  test("a run still working at its deadline stops itself, kills what it started and fails in its own words, with the failure published", async () => {
    // Given a body that waits on a command longer than the run may last
    const before = await readMetrics(sb);
    let sleeper: Promise<unknown> | undefined;
    const started = Date.now();
    const result = await run(
      "pg-verify",
      async () => {
        sleeper = runCommand(["sleep", "60"], { timeoutMs: 120_000 });
        await sleeper;
      },
      sb.env,
      1,
    );
    const after = await readMetrics(sb);

    // Then the run ends at its deadline, not when the command would have
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(
      /^pg-verify FAILED on runner-host after \d+\.\d s: stopped itself after 1 second, just under the limit its SSM document gives pg-verify, while still working \(.*1 command\(s\) it had started were killed\)\. Next: /,
    );
    // And the command it started is gone (killed, so it ends with a signal, not after 60 s)
    await expect(sleeper).resolves.toMatchObject({ code: 128 });
    const job = onHost(sb, { Job: "pg-verify" });
    expect(metricDelta(before, after, "JobFailed", job)).toBe(1);
    expect(metricDelta(before, after, "JobHeartbeat", job)).toBe(1);
    const record = await readRunRecord(sb.hostConfig.paths.stateDir, "pg-verify");
    expect(record).toMatchObject({ job: "pg-verify", succeeded: false, exitCode: 1 });
  });
});
