/**
 * Stopping PostgreSQL while archive_command fails (an S3 outage, as in a restore from the local
 * repository): real PostgreSQL 15, whose fast shutdown lets the archiver try a waiting WAL segment
 * up to 3 times, outlasting the stop command's own wait. The stop must wait for the postmaster, say
 * so as it goes, and past its limit stop the postmaster the immediate way.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { PostgresHostConfig } from "../../../infra/catalog/hostConfig";
import { runChecked } from "../../../scripts/lib/job/exec";
import { createLogger } from "../../../scripts/lib/job/log";
import { connectPostgres } from "../../../scripts/lib/postgres/connection";
import {
  livePostmasterPid,
  segmentsAwaitingArchive,
  stopPostgres,
} from "../../../scripts/lib/postgres/shutdown";
import { engineUnavailableReason } from "../../../scripts/sandbox/engineBinary";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";

const reason = engineUnavailableReason("pgbackrest");

/** Each archive attempt takes this long (seconds) and fails, as an archive_command cut off from S3 does. */
const ATTEMPT_SECONDS = 3;

describe.skipIf(reason !== undefined)(
  `stopping PostgreSQL while WAL archiving fails${reason ? ` — skipped: ${reason}` : ""}`,
  () => {
    let sb: Sandbox;
    /** The sandbox's pg_ctl service whose stop waits 2 s, not 60: it gives up first, as on a host. */
    let pg: PostgresHostConfig;

    async function sql(text: string): Promise<void> {
      const client = await connectPostgres(sb.hostConfig);
      try {
        await client.query(text);
      } finally {
        await client.end();
      }
    }

    /** Starts PostgreSQL with a failing archive_command and one segment waiting for it. */
    async function runningWithSegmentWaiting(): Promise<void> {
      if ((await livePostmasterPid(pg.pgData)) === undefined)
        await runChecked(pg.service.start, { timeoutMs: 90_000 });
      await sql(`ALTER SYSTEM SET archive_command = 'sleep ${ATTEMPT_SECONDS}; exit 1'`);
      await sql("SELECT pg_reload_conf()");
      await sql(
        "CREATE TABLE IF NOT EXISTS shutdown_probe (n int); INSERT INTO shutdown_probe VALUES (1)",
      );
      await sql("SELECT pg_switch_wal()");
      expect(await segmentsAwaitingArchive(pg.pgData)).toBeGreaterThan(0);
    }

    beforeAll(async () => {
      sb = await startSandbox({ redis: false, postgresEngine: "pgbackrest", hostId: "stop-host" });
      const service = sb.hostConfig.postgres.service;
      pg = {
        ...sb.hostConfig.postgres,
        service: {
          ...service,
          stop: service.stop.map((arg, i) => (service.stop[i - 1] === "-t" ? "2" : arg)),
        },
      };
    }, 300_000);
    afterAll(async () => {
      await sb?.stop();
    });

    test("the stop command gives up while the archiver makes its last tries; the stop waits for the postmaster", async () => {
      // Given PostgreSQL whose archive_command fails after ATTEMPT_SECONDS, with a segment waiting
      await runningWithSegmentWaiting();
      const logFile = sb.postgres!.logFile;
      const failuresBefore = readFileSync(logFile, "utf8").split("archive command failed").length;

      // When it is stopped
      const lines: string[] = [];
      const started = Date.now();
      await stopPostgres(
        pg,
        createLogger("pg-restore", (line) => lines.push(line)),
      );

      // Then the postmaster has exited, after the archiver tried again at shutdown
      expect(await livePostmasterPid(pg.pgData)).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThan(ATTEMPT_SECONDS * 1000);
      const failuresAfter = readFileSync(logFile, "utf8").split("archive command failed").length;
      expect(failuresAfter).toBeGreaterThan(failuresBefore);
      const records = lines.map((line) => JSON.parse(line) as { level: string; msg: string });
      expect(records[0]).toMatchObject({ msg: "stopping PostgreSQL" });
      expect(records).toContainEqual(
        expect.objectContaining({
          level: "warn",
          msg: expect.stringContaining("the stop command gave up before PostgreSQL stopped"),
        }),
      );
      expect(records.at(-1)).toMatchObject({ msg: "PostgreSQL stopped" });
    }, 300_000);

    test("past its fast-stop limit it stops the postmaster the immediate way, without waiting out the archiver", async () => {
      // Given PostgreSQL whose archiver will retry the waiting segment for at least 9 s
      await runningWithSegmentWaiting();
      const lines: string[] = [];

      // When the fast stop may take 3 s only
      const started = Date.now();
      await stopPostgres(
        pg,
        createLogger("pg-restore", (line) => lines.push(line)),
        3_000,
      );

      // Then it escalated to SIGQUIT, and the postmaster is gone well before the archiver's tries end
      expect(await livePostmasterPid(pg.pgData)).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(3 * ATTEMPT_SECONDS * 1000);
      const records = lines.map((line) => JSON.parse(line) as { level: string; msg: string });
      expect(records).toContainEqual(
        expect.objectContaining({
          level: "warn",
          msg: "PostgreSQL still runs 3 s after its stop command: stopping it the immediate way (SIGQUIT to the postmaster; crash-safe, and the restore keeps or rewrites this data directory)",
        }),
      );
      expect(records.at(-1)).toMatchObject({ msg: "PostgreSQL stopped" });
      expect(readFileSync(sb.postgres!.logFile, "utf8")).toContain(
        "received immediate shutdown request",
      );
    }, 300_000);

    test("an already stopped PostgreSQL is said so, and nothing is run", async () => {
      const lines: string[] = [];
      await stopPostgres(
        pg,
        createLogger("pg-restore", (line) => lines.push(line)),
      );
      expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
        "PostgreSQL is already stopped",
      ]);
    });
  },
);
