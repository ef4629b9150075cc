/**
 * A compressed log that cannot be read is retried while it may still be being written, and fails
 * logs-ship, naming it, once it stayed unreadable and unchanged for UNREADABLE_RUNS_LIMIT runs.
 * Real files and moto's S3.
 */
import { appendFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { UNREADABLE_RUNS_LIMIT } from "../../../scripts/jobs/logs-ship/logShipState";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import { runJobProcess } from "../../host/support/jobs";

describe("logs-ship and unreadable compressed logs", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ postgres: false, redis: false, hostId: "unreadable-host" });
  });
  afterAll(async () => sb?.stop());

  test("a corrupt .gz fails the run naming it after the limit; one still growing does not", async () => {
    const logs = join(sb.dir, "logs", "app");
    const corrupt = join(logs, "app.log.7.gz");
    const growing = join(logs, "app.log.2.gz");
    const whole = gzipSync(Buffer.from("2024-01-15T10:00:00Z growing line\n".repeat(500)));
    // Given a rotated log that is no gzip at all, and one logrotate is still writing
    writeFileSync(corrupt, Buffer.from("this was never a gzip stream\n"));
    writeFileSync(growing, whole.subarray(0, 20));

    // When logs-ship runs up to the limit, the growing file gaining bytes between runs
    const runs = [];
    for (let i = 1; i <= UNREADABLE_RUNS_LIMIT; i++) {
      runs.push(await runJobProcess("logs-ship", sb.env));
      appendFileSync(growing, whole.subarray(20 + (i - 1) * 10, 20 + i * 10));
    }

    // Then the runs before the limit warn and succeed, and the run at the limit fails naming
    // the corrupt file only, with the limit and what to do
    expect(runs.map((r) => r.code)).toEqual([...Array(UNREADABLE_RUNS_LIMIT - 1).fill(0), 1]);
    const last = runs[UNREADABLE_RUNS_LIMIT - 1];
    expect(last.stderr).toContain(
      `${corrupt} could not be decompressed on ${UNREADABLE_RUNS_LIMIT} consecutive runs, unchanged (limit ${UNREADABLE_RUNS_LIMIT})`,
    );
    expect(last.stderr).toContain(`'gzip -t ${corrupt}'`);
    expect(last.stderr).not.toContain(growing);

    // When the corrupt file is removed and the growing one is complete
    rmSync(corrupt);
    writeFileSync(growing, whole);
    const after = await runJobProcess("logs-ship", sb.env);

    // Then the run succeeds
    expect(after.code, after.stderr).toBe(0);
  });
});
