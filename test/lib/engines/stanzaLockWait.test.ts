/**
 * pg-engine-setup on a host whose asynchronous archive-push holds the stanza's archive lock: the
 * stanza-create waits for the lock instead of failing the install. The waiting rule on the engine's
 * own error text, then real pgBackRest 2.45 against a lock held with flock(1), as pgBackRest's own
 * processes hold it.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stanzaOf } from "../../../infra/catalog/engines/pgbackrest";
import { JobError } from "../../../scripts/lib/job/errors";
import { asOsUser } from "../../../scripts/lib/engines/engineProcess";
import { engineError } from "../../../scripts/lib/engines/pgbackrest";
import { isStanzaLockHeld, whileStanzaLockHeld } from "../../../scripts/lib/engines/stanzaLockWait";
import { createLogger } from "../../../scripts/lib/job/log";
import { engineUnavailableReason } from "../../../scripts/sandbox/engineBinary";
import { startSandbox, type Sandbox } from "../../../scripts/sandbox/sandbox";
import { runJobProcess } from "../../host/support/jobs";

/** pgBackRest 2.45's stderr when another process holds the lock (as CI printed it). */
const lockHeld = () =>
  engineError(["stanza-create"], {
    code: 50,
    stdout: "",
    stderr:
      "ERROR: [050]: unable to acquire lock on file '/var/spool/pgbackrest/lock/main-archive.lock': Resource temporarily unavailable\n" +
      "       HINT: is another pgBackRest process running?\n",
  });

describe("waiting for the stanza's lock", () => {
  test("the engine's lock failure is waited on; a lock file it may not write and other errors are not", () => {
    expect(isStanzaLockHeld(lockHeld())).toBe(true);
    const denied = engineError(["stanza-create"], {
      code: 50,
      stdout: "",
      stderr:
        "ERROR: [050]: unable to acquire lock on file '/tmp/pgbackrest/main-archive.lock': Permission denied\n",
    });
    expect(isStanzaLockHeld(denied)).toBe(false);
    expect(isStanzaLockHeld(new JobError("pgBackRest stanza-create failed: [055] missing"))).toBe(
      false,
    );
  });

  test("the command runs again until the lock is free, and each wait is logged", async () => {
    const lines: string[] = [];
    let calls = 0;
    const result = await whileStanzaLockHeld(
      async () => {
        calls += 1;
        if (calls < 3) throw lockHeld();
        return "created";
      },
      createLogger("pg-engine-setup", (line) => lines.push(line)),
    );
    expect(result).toBe("created");
    expect(calls).toBe(3);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1])).toMatchObject({
      msg: "another pgBackRest process holds this stanza's lock; waiting for it",
      fields: { attempt: 2, limitSeconds: 120 },
    });
  }, 30_000);

  test("any other failure is thrown at once, unchanged", async () => {
    let calls = 0;
    const other = new JobError("pgBackRest stanza-create failed: [028] another cluster", "hint");
    await expect(
      whileStanzaLockHeld(async () => {
        calls += 1;
        throw other;
      }),
    ).rejects.toBe(other);
    expect(calls).toBe(1);
  });

  test("a lock still held at the end fails with how long was waited and the engine's hint", async () => {
    const error = await whileStanzaLockHeld(
      async () => {
        throw lockHeld();
      },
      undefined,
      2_500,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobError);
    expect((error as JobError).message).toMatch(
      /\[050\] unable to acquire lock .*; still held after waiting [2-9] s$/,
    );
    expect((error as JobError).hint).toContain(
      "another pgBackRest command holds this stanza's lock",
    );
  }, 30_000);
});

const reason = engineUnavailableReason("pgbackrest");

describe.skipIf(reason !== undefined)(
  `[pgbackrest] pg-engine-setup under a held archive lock${reason ? ` — skipped: ${reason}` : ""}`,
  () => {
    let sb: Sandbox;

    beforeAll(async () => {
      sb = await startSandbox({ redis: false, postgresEngine: "pgbackrest", hostId: "lock-host" });
    }, 300_000);
    afterAll(async () => {
      await sb?.stop();
    });

    test("setup waits while another process holds the archive lock, then creates the stanza", async () => {
      // Given another process holding the stanza's archive lock for 6 s, as async archive-push does
      const { engine } = sb.hostConfig.postgres;
      const lockFile = join(engine.lockDir, `${stanzaOf(engine)}-archive.lock`);
      const [command, ...args] = asOsUser(engine.osUser, ["flock", "-x", lockFile, "sleep", "6"]);
      const holder = spawn(command, args, { stdio: "ignore" });
      const released = new Promise((resolve) => holder.on("exit", resolve));
      await new Promise((resolve) => setTimeout(resolve, 500));

      // When the install document's setup step runs
      const started = Date.now();
      const run = await runJobProcess("pg-engine-setup", sb.env);
      await released;

      // Then it logged its wait and succeeded once the lock was free
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("another pgBackRest process holds this stanza's lock");
      expect(Date.now() - started).toBeGreaterThanOrEqual(5_000);
      expect(run.stdout).toContain(`repositories ready for stanza ${stanzaOf(engine)}`);
    }, 300_000);
  },
);
