/**
 * Paths enter canonical (no trailing '/', no '.' or '..', bounded length), out of the operating
 * system's directories and out of each other: in the stack config, in the host config a job reads,
 * and in the sibling paths a restore builds.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseHostConfig } from "../../infra/catalog/hostConfig";
import { MAX_PATH_LENGTH, MAX_SEGMENT_LENGTH } from "../../infra/catalog/pathRules";
import { renderHostConfig } from "../../infra/content/host/hostConfigFile";
import { validateStackConfig } from "../../infra/config/validate";
import { loadHostConfig } from "../../scripts/lib/job/hostConfig";
import { siblingPath } from "../../scripts/lib/files/siblingPath";
import { runJobProcess } from "../host/support/jobs";
import { prodStackConfig } from "../host/support/prodStack";

const MINIMAL = { alertEmail: "devops@stellar-insights.com" } as const;
const NOW = new Date("2026-01-01T12:00:00Z");

function problemsOf(raw: Record<string, string>) {
  const result = validateStackConfig({ ...MINIMAL, ...raw }, "us-east-1", { now: NOW });
  return result.ok ? [] : result.problems.map((p) => [p.key, p.message]);
}

const OWN = "use a directory of its own (such as under /var/lib or /srv)";
const OVERLAP =
  "data directories, the local backup root and the engine's spool must not overlap (a restore empties the data directory, pruning removes old copies, the engine rewrites its spool); put each in a directory of its own";

describe("stack config paths are canonical", () => {
  test.each([
    ["/var/lib/postgresql/14/main/", "/var/lib/postgresql/14/main"],
    ["/var/lib/postgresql//14/main", "/var/lib/postgresql/14/main"],
    ["/var/lib/postgresql/./14/main", "/var/lib/postgresql/14/main"],
  ])("pgData %s is refused, naming %s", (written, canonical) => {
    expect(problemsOf({ pgData: written })).toEqual([
      [
        "pgData",
        `must be written canonically (no trailing '/', no '//', no '.' segments): write "${canonical}"`,
      ],
    ]);
  });

  test("'..' is refused: through a symlink it names another directory", () => {
    expect(problemsOf({ localBackupRoot: "/srv/backups/../data" })).toEqual([
      [
        "localBackupRoot",
        "must not contain '..': write the directory it means (through a symlink '..' means another one)",
      ],
    ]);
  });

  test(`a path longer than ${MAX_PATH_LENGTH} characters, or a segment longer than ${MAX_SEGMENT_LENGTH}, is refused with the bound`, () => {
    const long = `/srv/${"a".repeat(5001 - 5)}`;
    expect(long).toHaveLength(5001);
    expect(problemsOf({ localBackupRoot: long })).toEqual([
      [
        "localBackupRoot",
        "is 5001 characters long: at most 1023 (PostgreSQL's MAXPGPATH, the shortest path limit of the programs that get it)",
      ],
    ]);
    expect(problemsOf({ pgData: `/srv/${"b".repeat(201)}` })).toEqual([
      [
        "pgData",
        "has a segment of 201 characters: at most 200 (NAME_MAX 255 less room for the suffixes jobs append, such as .before-restore-<stamp>)",
      ],
    ]);
    expect(problemsOf({ pgData: `/srv/${"b".repeat(200)}` })).toEqual([]);
  });
});

describe("stack config directories stay out of the system's own directories", () => {
  test.each([
    [
      "/",
      "holds /bin, /boot, /dev, /etc, /lib, /lib32, /lib64, /libx32, /proc, /run, /sbin, /sys, /usr, /var/lib/apt, /var/lib/dpkg, /var/lib/rpm, /var/lock, /var/run, directories the operating system owns",
    ],
    ["/etc", "is /etc, a directory the operating system owns"],
    ["/etc/backups", "is inside /etc, a directory the operating system owns"],
    ["/usr/local/backups", "is inside /usr, a directory the operating system owns"],
    [
      "/var",
      "holds /var/lib/apt, /var/lib/dpkg, /var/lib/rpm, /var/lock, /var/run, directories the operating system owns",
    ],
    ["/var/lib/dpkg/backups", "is inside /var/lib/dpkg, a directory the operating system owns"],
    ["/proc/1", "is inside /proc, a directory the operating system owns"],
  ])("localBackupRoot %s", (root, reason) => {
    expect(problemsOf({ localBackupRoot: root })).toEqual([
      ["localBackupRoot", `${reason}: the jobs write, move aside and prune here; ${OWN}`],
    ]);
  });

  test("the runbook's own directories pass", () => {
    expect(
      problemsOf({ localBackupRoot: "/var/backups", pgData: "/var/lib/postgresql/14/main" }),
    ).toEqual([]);
    expect(problemsOf({ localBackupRoot: "/srv/backups", pgData: "/srv/postgresql/main" })).toEqual(
      [],
    );
  });
});

describe("a data directory, the backup root and the engine's spool never overlap", () => {
  test.each([
    [
      { localBackupRoot: "/var/lib/postgresql" },
      "localBackupRoot",
      `holds pgData ("/var/lib/postgresql/14/main"): ${OVERLAP}`,
    ],
    [
      { pgData: "/var/backups/pg", localBackupRoot: "/var/backups" },
      "localBackupRoot",
      `holds pgData ("/var/backups/pg"): ${OVERLAP}`,
    ],
    [
      { pgData: "/srv/pg", localBackupRoot: "/srv/pg" },
      "localBackupRoot",
      `is the same directory as pgData ("/srv/pg"): ${OVERLAP}`,
    ],
    [
      { pgData: "/var/spool/stellar-insights-backup/postgres-engine/main" },
      "pgData",
      `is inside the PostgreSQL engine's spool ("/var/spool/stellar-insights-backup/postgres-engine"): ${OVERLAP}`,
    ],
    [
      { localBackupRoot: "/var/lib/redis/backups" },
      "localBackupRoot",
      `is inside Redis's data directory ("/var/lib/redis"): ${OVERLAP}`,
    ],
    [
      { localBackupRoot: "/var/lib" },
      "localBackupRoot",
      "holds /var/lib/apt, /var/lib/dpkg, /var/lib/rpm, directories the operating system owns: the jobs write, move aside and prune here; use a directory of its own (such as under /var/lib or /srv)",
    ],
  ])("%j", (raw, key, message) => {
    expect(problemsOf(raw)).toEqual([[key, message]]);
  });
});

/** The host config fields these tests edit. */
interface EditableDirectories {
  postgres: { pgData: string };
  local: { root: string };
  redis: { dir: string };
}

/** The prod host config with `edit` applied, as a hand-edited file would hold it. */
function editedProd(edit: (config: EditableDirectories) => void): unknown {
  const config = JSON.parse(
    JSON.stringify(renderHostConfig({ stack: "prod", config: prodStackConfig() })),
  );
  edit(config);
  return config;
}

describe("the host config reader applies the same rules", () => {
  test("a trailing '/' on postgres.pgData is refused with the canonical spelling", () => {
    const parsed = parseHostConfig(
      editedProd((c) => (c.postgres.pgData = "/var/lib/postgresql/14/main/")),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => [p.path, p.message])).toEqual([
      [
        "postgres.pgData",
        `"/var/lib/postgresql/14/main/" must be written canonically (no trailing '/', no '//', no '.' segments): write "/var/lib/postgresql/14/main"`,
      ],
    ]);
  });

  test("local.root /etc, and one that holds the data directory, are refused", () => {
    const parsed = parseHostConfig(
      editedProd((c) => {
        c.local.root = "/etc";
        c.redis.dir = "/var/lib/postgresql";
      }),
    );
    if (parsed.ok) throw new Error("expected problems");
    expect(parsed.problems.map((p) => [p.path, p.message])).toEqual([
      [
        "local.root",
        `is /etc, a directory the operating system owns: the jobs write, move aside and prune here; ${OWN}`,
      ],
      ["redis.dir", `holds postgres.pgData ("/var/lib/postgresql/14/main"): ${OVERLAP}`],
    ]);
  });

  test("loadHostConfig refuses a hand-edited file before a job does anything", () => {
    const dir = mkdtempSync(join(tmpdir(), "host-config-paths-"));
    const path = join(dir, "config.json");
    writeFileSync(
      path,
      JSON.stringify(editedProd((c) => (c.postgres.pgData = "/var/lib/postgresql/14/main/"))),
    );
    expect(() => loadHostConfig({ STELLAR_BACKUP_CONFIG: path })).toThrow(
      /postgres\.pgData: "\/var\/lib\/postgresql\/14\/main\/" must be written canonically .*write "\/var\/lib\/postgresql\/14\/main"/,
    );
  });

  test("a confirmed pg-restore with such a file stops nothing: it exits 64 naming the key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "host-config-paths-"));
    const path = join(dir, "config.json");
    writeFileSync(
      path,
      JSON.stringify(editedProd((c) => (c.postgres.pgData = "/var/lib/postgresql/14/main/"))),
    );
    const run = await runJobProcess("pg-restore", {
      STELLAR_BACKUP_CONFIG: path,
      TARGET: "latest",
      CONFIRM: "yes-restore",
    });
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(
      'postgres.pgData: "/var/lib/postgresql/14/main/" must be written canonically',
    );
    expect(run.logs.map((l) => l.msg).join("\n")).not.toMatch(/stop/i);
  });
});

describe("restores build sibling paths from the canonical path", () => {
  test.each([
    ["/var/lib/postgresql/14/main", "/var/lib/postgresql/14/main.before-restore-X"],
    ["/var/lib/postgresql/14/main/", "/var/lib/postgresql/14/main.before-restore-X"],
    ["/var/lib/postgresql//14/./main//", "/var/lib/postgresql/14/main.before-restore-X"],
  ])("%s", (path, sibling) => {
    expect(siblingPath(path, ".before-restore-X")).toBe(sibling);
  });

  test("there is nothing beside / or a relative path", () => {
    expect(() => siblingPath("/", ".x")).toThrow(/cannot put/);
    expect(() => siblingPath("data/main", ".x")).toThrow(/cannot put/);
  });
});
