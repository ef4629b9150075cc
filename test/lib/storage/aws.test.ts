/**
 * A frozen AWS endpoint (moto SIGSTOPped: the kernel still accepts connections, nothing answers)
 * must fail a job loudly through the SDK's own timeouts and retries, not hang until SSM's timeout.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { awsCallLimits, DEFAULT_AWS_CALL_LIMITS } from "../../../scripts/lib/storage/aws";
import { UsageError } from "../../../scripts/lib/job/errors";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import { messages, runJobProcess } from "../../host/support/jobs";

/** Short limits so a frozen endpoint fails in seconds here; the shipped defaults are minutes. */
const SHORT_LIMITS = {
  STELLAR_AWS_CONNECT_TIMEOUT_MS: "500",
  STELLAR_AWS_IDLE_TIMEOUT_MS: "1000",
  STELLAR_AWS_REQUEST_TIMEOUT_MS: "3000",
  STELLAR_AWS_MAX_ATTEMPTS: "2",
};

describe("AWS call limits", () => {
  test("shipped defaults bound a frozen endpoint to minutes and a connect to seconds", () => {
    expect(awsCallLimits({})).toEqual(DEFAULT_AWS_CALL_LIMITS);
    const worstIdleMs = DEFAULT_AWS_CALL_LIMITS.maxAttempts * DEFAULT_AWS_CALL_LIMITS.idleTimeoutMs;
    expect(worstIdleMs).toBeLessThanOrEqual(5 * 60_000);
    expect(DEFAULT_AWS_CALL_LIMITS.connectTimeoutMs).toBeLessThanOrEqual(10_000);
  });

  test("overrides from the environment are read, and every bad one is reported at once", () => {
    expect(awsCallLimits(SHORT_LIMITS)).toEqual({
      connectTimeoutMs: 500,
      idleTimeoutMs: 1000,
      requestTimeoutMs: 3000,
      maxAttempts: 2,
    });
    const bad = () =>
      awsCallLimits({ STELLAR_AWS_IDLE_TIMEOUT_MS: "1m", STELLAR_AWS_MAX_ATTEMPTS: "0" });
    expect(bad).toThrow(UsageError);
    expect(bad).toThrow(
      'AWS call limits: STELLAR_AWS_IDLE_TIMEOUT_MS="1m": must be a whole number from 100 to 3600000; STELLAR_AWS_MAX_ATTEMPTS="0": must be a whole number from 1 to 10',
    );
  });
});

describe("a job against a frozen S3 endpoint", () => {
  let sb: Sandbox;
  let frozen = false;
  const thaw = () => {
    if (frozen) process.kill(sb.moto.pid, "SIGCONT");
    frozen = false;
  };
  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, redis: false, hostId: "frozen-host" });
  });
  afterAll(async () => {
    thaw();
    await sb?.stop();
  });

  test("config-backup fails with a timeout and says its metrics were not published, instead of hanging", async () => {
    // Given moto is frozen: connections are accepted by the kernel, no byte ever comes back
    process.kill(sb.moto.pid, "SIGSTOP");
    frozen = true;
    let run;
    try {
      // When config-backup runs with short call limits
      run = await runJobProcess("config-backup", { ...sb.env, ...SHORT_LIMITS, SETS: "app" });
    } finally {
      thaw();
    }

    // Then it ends on its own, failed, naming the timeout on the on-call line
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/config-backup FAILED on frozen-host after .*TimeoutError/);
    expect(run.stderr).toContain("check the network path to S3");
    // And the metrics it could not publish are logged as such (the heartbeat alarm covers it)
    expect(messages(run)).toContain("metrics not published");
  });
});
