/**
 * The restore_command every engine builds (`fallbackRestoreCommand`), run by /bin/sh as PostgreSQL
 * runs it, over repositories that are small shell commands: what it answers PostgreSQL (0 fetched,
 * 1 missing, 255 unreadable), which repository it reads, and that no repository keeps it longer
 * than its bound. The engines' own fetches against real repositories: test/engine/restoreFaults.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import {
  fallbackRestoreCommand,
  RESTORE_COMMAND_UNREADABLE_EXIT,
  RESTORE_FETCH_BOUNDS,
  type RestoreFetch,
  UNREADABLE_WAL_FILE,
} from "../../../infra/catalog/engines";
import { runCommand } from "../../../scripts/lib/job/exec";
import { replayShortfall } from "../../../scripts/jobs/pg-restore/recoveryProgress";

const SEGMENT = "000000010000000000000003";
const MIB = 1024 * 1024;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "restore-command-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A repository that writes `bytes` bytes into "$p" (after logging its name) and exits `exit`. */
function repo(name: RestoreFetch["name"], bytes: number, exit = 0, notFoundExit = 1): RestoreFetch {
  return {
    name,
    command: `sh -c "echo ${name} >> ${dir}/reads; head -c ${bytes} /dev/zero > \\"\\$1\\"; exit ${exit}" fetch "$p"`,
    notFoundExit,
  };
}

const FAST = { ...RESTORE_FETCH_BOUNDS, attemptSeconds: 2, pauseSeconds: 0 };

async function run(
  fetches: RestoreFetch[],
  file = SEGMENT,
): Promise<{ code: number; reads: string[]; bytes: number | undefined; stderr: string }> {
  const target = join(dir, "RECOVERYXLOG");
  const command = fallbackRestoreCommand(fetches, dir, FAST)
    .replace("%f", file)
    .replace("%p", target);
  // PostgreSQL runs it in the data directory.
  const result = await runCommand(["/bin/sh", "-c", command], { timeoutMs: 60_000, cwd: dir });
  const readsFile = join(dir, "reads");
  const reads = existsSync(readsFile) ? readFileSync(readsFile, "utf8").trim().split("\n") : [];
  rmSync(join(dir, "reads"), { force: true });
  let bytes: number | undefined;
  try {
    bytes = statSync(target).size;
  } catch {
    bytes = undefined;
  }
  return { code: result.code, reads, bytes, stderr: result.stderr };
}

test("a whole segment from S3: 0, the local repository is not read", async () => {
  const r = await run([repo("s3", 16 * MIB), repo("local", 16 * MIB)]);
  expect(r).toMatchObject({ code: 0, reads: ["s3"], bytes: 16 * MIB });
});

test("S3 fails: tried again up to its bound, then the local repository gives the segment", async () => {
  const r = await run([repo("s3", 0, 39), repo("local", MIB)]);
  expect(r.code).toBe(0);
  expect(r.reads).toEqual([...Array(FAST.attempts).fill("s3"), "local"]);
  expect(r.bytes).toBe(MIB);
  expect(r.stderr).toContain(
    `reading ${SEGMENT} from the s3 repository failed with exit status 39`,
  );
});

test.each([
  ["empty", 0],
  ["short", 8 * MIB + 1],
])("an %s segment counts as a failure: the next repository is read", async (_kind, bytes) => {
  const r = await run([repo("s3", bytes), repo("local", 16 * MIB)]);
  expect(r.code).toBe(0);
  expect(r.reads.at(-1)).toBe("local");
  expect(r.bytes).toBe(16 * MIB);
  expect(r.stderr).toContain(
    `${SEGMENT} from the s3 repository is empty or not a whole WAL segment`,
  );
});

test("missing everywhere: 1 (the end of the archive); the engine's own 'missing' status counts", async () => {
  expect((await run([repo("s3", 0, 74, 74), repo("local", 0, 74, 74)])).code).toBe(1);
});

test("a segment that one repository could not give and the others lack: unreadable, never 'missing', its name left for the job", async () => {
  const r = await run([repo("s3", 0, 39), repo("local", 0, 1)]);
  expect(r.code).toBe(RESTORE_COMMAND_UNREADABLE_EXIT);
  expect(r.code).toBeGreaterThan(128);
  expect(readFileSync(join(dir, UNREADABLE_WAL_FILE), "utf8").trim()).toBe(SEGMENT);
});

test("past the plan's end of the archive, the readable repositories' 'missing' is the end even while S3 fails; before it, unreadable", async () => {
  const fetches = [repo("s3", 0, 39), repo("local", 0, 1)];
  const command = (file: string) =>
    fallbackRestoreCommand(fetches, dir, FAST, "000000010000000000000002")
      .replace("%f", file)
      .replace("%p", join(dir, "RECOVERYXLOG"));
  const past = await runCommand(["/bin/sh", "-c", command(SEGMENT)], {
    timeoutMs: 60_000,
    cwd: dir,
  });
  expect(past.code).toBe(1);
  const before = await runCommand(["/bin/sh", "-c", command("000000010000000000000001")], {
    timeoutMs: 60_000,
    cwd: dir,
  });
  expect(before.code).toBe(RESTORE_COMMAND_UNREADABLE_EXIT);
});

test("a history file that the readable repositories lack is missing, even while S3 fails", async () => {
  expect((await run([repo("s3", 0, 39), repo("local", 0, 1)], "00000002.history")).code).toBe(1);
});

test("a repository that does not answer is given up after its bound, once, and tried last for the next files", async () => {
  const hang: RestoreFetch = {
    name: "s3",
    command: `sh -c "echo s3 >> ${dir}/reads; sleep 30"`,
    notFoundExit: 1,
  };
  const first = await run([hang, repo("local", MIB)]);
  expect(first).toMatchObject({ code: 0, reads: ["s3", "local"] });
  expect(first.stderr).toContain(`the s3 repository did not give ${SEGMENT} within 2 s`);
  const next = await run([hang, repo("local", MIB)]);
  expect(next).toMatchObject({ code: 0, reads: ["local"] });
});

test("no literal percent sign or single quote reaches PostgreSQL's restore_command", () => {
  expect(() =>
    fallbackRestoreCommand([repo("s3", 1)].map((r) => ({ ...r, command: "x %d" }))),
  ).toThrow();
  expect(() =>
    fallbackRestoreCommand([{ name: "s3", command: "x 'y'", notFoundExit: 1 }]),
  ).toThrow();
  expect(fallbackRestoreCommand([repo("s3", 1)], "/var/spool/x")).not.toContain("'");
});

test("a latest restore that replayed less than its plan is named short; at or past it, not", () => {
  expect(replayShortfall("000000010000000000000005", "000000020000000000000005")).toBeUndefined();
  expect(replayShortfall("000000010000000000000005", "000000020000000000000006")).toBeUndefined();
  expect(replayShortfall("000000010000000000000005", "000000020000000000000004")).toContain(
    "short of the plan's last archived segment 000000010000000000000005",
  );
  expect(replayShortfall("000000010000000000000005", null)).toContain(
    "up to WAL segment position none",
  );
});
