/**
 * The stack config key `postgresBackupFrom`: the primary when absent, defaulted when set, the host
 * config it renders, and each rule with a failing case and its exact message (key, value, what is
 * allowed).
 */
import { expect, test } from "vitest";
import { validateStackConfig } from "../../infra/config/validate";

const REGION = "us-east-1";
const MINIMAL = { alertEmail: "devops@stellar-insights.com" } as const;
const STANDBY = { pgData: "/var/lib/postgresql/14/standby", port: 5433 };

function validate(raw: Record<string, string>) {
  return validateStackConfig({ ...MINIMAL, ...raw }, REGION);
}

function configOf(raw: Record<string, string>) {
  const result = validate(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result;
}

function problemsOf(raw: Record<string, string>): string[] {
  const result = validate(raw);
  return result.ok
    ? []
    : result.problems.map((p) => `${p.key} = ${JSON.stringify(p.value)}: ${p.message}`);
}

/** The key as the stack file holds it: a YAML map, handed over as JSON. */
const fromKey = (value: unknown) => ({ postgresBackupFrom: JSON.stringify(value) });

test("absent, the backup reads the primary and the host config names no standby", () => {
  const { config, hostConfig } = configOf({});
  expect(config.postgresBackupFrom).toEqual({ source: "primary" });
  expect(hostConfig.postgres.backupFrom).toBeUndefined();
  expect(configOf(fromKey({ source: "primary" })).config.postgresBackupFrom).toEqual({
    source: "primary",
  });
});

test("a standby with the defaults: 64 MiB of replay lag, the primary when it cannot be read", () => {
  const { config, hostConfig } = configOf(fromKey({ source: "standby", standby: STANDBY }));
  expect(config.postgresBackupFrom).toEqual({
    source: "standby",
    standby: STANDBY,
    maxReplayLagMb: 64,
    whenStandbyUnavailable: "primary",
  });
  expect(hostConfig.postgres.backupFrom).toEqual({
    standby: { ...STANDBY, socketDir: hostConfig.postgres.socketDir },
    maxReplayLagMb: 64,
    whenStandbyUnavailable: "primary",
  });
});

test("a standby plan as set, numbers written as text too", () => {
  const { config } = configOf(
    fromKey({
      source: "standby",
      standby: { pgData: "/srv/postgresql/standby", port: "5433" },
      maxReplayLagMb: "16",
      whenStandbyUnavailable: "fail",
    }),
  );
  expect(config.postgresBackupFrom).toEqual({
    source: "standby",
    standby: { pgData: "/srv/postgresql/standby", port: 5433 },
    maxReplayLagMb: 16,
    whenStandbyUnavailable: "fail",
  });
});

const standbyWith = (fields: Record<string, unknown>) =>
  fromKey({ source: "standby", standby: STANDBY, ...fields });
const standbyAt = (standby: Record<string, unknown>) => fromKey({ source: "standby", standby });

test.each<[string, Record<string, string>, string]>([
  [
    "an unknown field",
    standbyWith({ from: "replica" }),
    'postgresBackupFrom.from = "replica": unknown field; allowed: source, standby, maxReplayLagMb, whenStandbyUnavailable',
  ],
  [
    "no source",
    fromKey({ standby: STANDBY }),
    "postgresBackupFrom.source = undefined: is missing: it must be one of primary, standby",
  ],
  [
    "a source that is not one",
    fromKey({ source: "replica" }),
    'postgresBackupFrom.source = "replica": must be one of primary, standby',
  ],
  [
    "a key that is not a map",
    { postgresBackupFrom: "standby" },
    'postgresBackupFrom = "standby": must be an object (a YAML map)',
  ],
  [
    "source standby without a standby",
    fromKey({ source: "standby" }),
    "postgresBackupFrom.standby = undefined: is missing: with source standby the backup reads a streaming standby on the primary's host; allowed: a map of pgData (its data directory) and port",
  ],
  [
    "a standby with source primary",
    fromKey({ source: "primary", standby: STANDBY }),
    `postgresBackupFrom.standby = ${JSON.stringify(STANDBY)}: is not used: with source primary the backup reads the primary; remove it or set source to standby`,
  ],
  [
    "a replay bound with source primary",
    fromKey({ source: "primary", maxReplayLagMb: 64 }),
    "postgresBackupFrom.maxReplayLagMb = 64: is not used: with source primary the backup reads the primary; remove it or set source to standby",
  ],
  [
    "a fallback with source primary",
    fromKey({ source: "primary", whenStandbyUnavailable: "fail" }),
    'postgresBackupFrom.whenStandbyUnavailable = "fail": is not used: with source primary the backup reads the primary; remove it or set source to standby',
  ],
  [
    "a standby that is not a map",
    fromKey({ source: "standby", standby: "/var/lib/postgresql/14/standby" }),
    'postgresBackupFrom.standby = "/var/lib/postgresql/14/standby": must be an object (a YAML map)',
  ],
  [
    "an unknown field of the standby",
    standbyAt({ ...STANDBY, host: "db-2" }),
    'postgresBackupFrom.standby.host = "db-2": unknown field; allowed: pgData, port',
  ],
  [
    "a standby without its data directory",
    standbyAt({ port: 5433 }),
    "postgresBackupFrom.standby.pgData = undefined: is missing: it must be the standby's data directory, an absolute path such as /var/lib/postgresql/14/standby",
  ],
  [
    "a standby without its port",
    standbyAt({ pgData: STANDBY.pgData }),
    "postgresBackupFrom.standby.port = undefined: is missing: it must be a whole number from 1 to 65535 (the port the standby listens on)",
  ],
  [
    "a relative data directory",
    standbyAt({ ...STANDBY, pgData: "standby" }),
    "postgresBackupFrom.standby.pgData = \"standby\": must be an absolute path (starting with '/')",
  ],
  [
    "a data directory not written canonically",
    standbyAt({ ...STANDBY, pgData: "/var/lib/postgresql/14/standby/" }),
    "postgresBackupFrom.standby.pgData = \"/var/lib/postgresql/14/standby/\": must be written canonically (no trailing '/', no '//', no '.' segments): write \"/var/lib/postgresql/14/standby\"",
  ],
  [
    "a data directory in a system directory",
    standbyAt({ ...STANDBY, pgData: "/etc/postgresql/standby" }),
    'postgresBackupFrom.standby.pgData = "/etc/postgresql/standby": is inside /etc, a directory the operating system owns: the jobs write, move aside and prune here; use a directory of its own (such as under /var/lib or /srv)',
  ],
  [
    "the primary's data directory",
    standbyAt({ ...STANDBY, pgData: "/var/lib/postgresql/14/main" }),
    'postgresBackupFrom.standby.pgData = "/var/lib/postgresql/14/main": is the same directory as pgData ("/var/lib/postgresql/14/main"): data directories, the local backup root and the engine\'s spool must not overlap (a restore empties the data directory, pruning removes old copies, the engine rewrites its spool); put each in a directory of its own',
  ],
  [
    "a data directory inside the primary's",
    standbyAt({ ...STANDBY, pgData: "/var/lib/postgresql/14/main/standby" }),
    'postgresBackupFrom.standby.pgData = "/var/lib/postgresql/14/main/standby": is inside pgData ("/var/lib/postgresql/14/main"): data directories, the local backup root and the engine\'s spool must not overlap (a restore empties the data directory, pruning removes old copies, the engine rewrites its spool); put each in a directory of its own',
  ],
  [
    "a data directory that holds the primary's",
    standbyAt({ ...STANDBY, pgData: "/var/lib/postgresql/14" }),
    'postgresBackupFrom.standby.pgData = "/var/lib/postgresql/14": holds pgData ("/var/lib/postgresql/14/main"): data directories, the local backup root and the engine\'s spool must not overlap (a restore empties the data directory, pruning removes old copies, the engine rewrites its spool); put each in a directory of its own',
  ],
  [
    "a data directory inside the local backup root",
    standbyAt({ ...STANDBY, pgData: "/var/backups/standby" }),
    'postgresBackupFrom.standby.pgData = "/var/backups/standby": is inside localBackupRoot ("/var/backups"): data directories, the local backup root and the engine\'s spool must not overlap (a restore empties the data directory, pruning removes old copies, the engine rewrites its spool); put each in a directory of its own',
  ],
  [
    "port 0",
    standbyAt({ ...STANDBY, port: 0 }),
    "postgresBackupFrom.standby.port = 0: must be a whole number from 1 to 65535 (the port the standby listens on)",
  ],
  [
    "a port past 65535",
    standbyAt({ ...STANDBY, port: 65536 }),
    "postgresBackupFrom.standby.port = 65536: must be a whole number from 1 to 65535 (the port the standby listens on)",
  ],
  [
    "the primary's port",
    standbyAt({ ...STANDBY, port: 5432 }),
    "postgresBackupFrom.standby.port = 5432: is the primary's port: the standby runs on the primary's host, its socket beside the primary's in /var/run/postgresql; allowed: 1 to 65535 except 5432",
  ],
  [
    "no replay lag allowed",
    standbyWith({ maxReplayLagMb: 0 }),
    "postgresBackupFrom.maxReplayLagMb = 0: must be a whole number of MiB from 1 to 1048576 (the WAL the standby may still have to replay; default 64)",
  ],
  [
    "a replay lag past 1 TiB",
    standbyWith({ maxReplayLagMb: 1_048_577 }),
    "postgresBackupFrom.maxReplayLagMb = 1048577: must be a whole number of MiB from 1 to 1048576 (the WAL the standby may still have to replay; default 64)",
  ],
  [
    "a replay lag in fractions",
    standbyWith({ maxReplayLagMb: 1.5 }),
    "postgresBackupFrom.maxReplayLagMb = 1.5: must be a whole number of MiB from 1 to 1048576 (the WAL the standby may still have to replay; default 64)",
  ],
  [
    "a fallback that is not one",
    standbyWith({ whenStandbyUnavailable: "skip" }),
    'postgresBackupFrom.whenStandbyUnavailable = "skip": must be one of primary, fail',
  ],
])("%s is refused, naming the key, the value and what is allowed", (_name, raw, message) => {
  expect(problemsOf(raw)).toContain(message);
});

test("the standby is held to pgData as the stack sets it", () => {
  expect(
    problemsOf({
      pgData: "/srv/postgresql/main",
      ...standbyAt({ ...STANDBY, pgData: "/srv/postgresql/main/standby" }),
    }),
  ).toEqual([
    'postgresBackupFrom.standby.pgData = "/srv/postgresql/main/standby": is inside pgData ("/srv/postgresql/main"): data directories, the local backup root and the engine\'s spool must not overlap (a restore empties the data directory, pruning removes old copies, the engine rewrites its spool); put each in a directory of its own',
  ]);
  // The default pgData's directory is free once the primary lives elsewhere.
  expect(
    problemsOf({
      pgData: "/srv/postgresql/main",
      ...standbyAt({ ...STANDBY, pgData: "/var/lib/postgresql/14/main" }),
    }),
  ).toEqual([]);
});
