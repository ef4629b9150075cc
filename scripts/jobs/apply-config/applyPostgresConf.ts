/**
 * Makes a running PostgreSQL use the managed postgresql.conf fragment, restarting it only when a
 * managed setting cannot change otherwise. PostgreSQL itself is the judge throughout:
 * - `pg_file_settings` (it re-reads the files when queried) shows whether the fragment is read at
 *   all, whether a later line overrides it, and any error that would make a reload skip lines or
 *   a restart fail;
 * - after `pg_reload_conf()`, `pg_settings.pending_restart` names what only a restart applies.
 *
 * A missing include is an error, not something fixed here: Debian's stock postgresql.conf reads
 * `include_dir = 'conf.d'` (where the stack puts the fragment), so a cluster that does not read it
 * has a hand-made main file whose include order is its DBA's choice. The error names the line to
 * add. (Redis differs: its stock file has no include, so apply-config adds one; see applyRedisConf.)
 */
import { promises as fs } from "node:fs";
import type { Client } from "pg";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { JobError } from "../../lib/job/errors";
import type { Logger } from "../../lib/job/log";
import {
  appliedReport,
  readFragment,
  restartAndReconnect,
  settingChanges,
  type ApplyReport,
} from "./managedConfig";
import { connectPostgres } from "../../lib/postgres/connection";
import { isRunning } from "../../lib/job/service";
import { waitFor } from "../../lib/job/time";

/** pg_file_settings' `error` for a valid line whose value the running server cannot take now. */
const NOT_APPLIED = "setting could not be applied";

/** Jobs a PostgreSQL restart would break mid-run. */
const RESTART_GUARDED_JOBS = ["pg-backup", "pg-restore"] as const;

interface FileSetting {
  readonly seqno: number;
  readonly sourcefile: string | null;
  readonly sourceline: number | null;
  readonly name: string | null;
  readonly setting: string | null;
  readonly applied: boolean;
  readonly error: string | null;
}

async function fileSettings(client: Client): Promise<FileSetting[]> {
  const result = await client.query<FileSetting>(
    "SELECT seqno, sourcefile, sourceline, lower(name) AS name, setting, applied, error FROM pg_file_settings ORDER BY seqno",
  );
  return result.rows;
}

async function scalar<T>(client: Client, sql: string, params: unknown[] = []): Promise<T> {
  const result = await client.query<{ value: T }>(sql, params);
  return result.rows[0].value;
}

/** name → live value as PostgreSQL shows it (`60 s`), for the managed names. */
async function liveValues(client: Client, names: readonly string[]): Promise<Map<string, string>> {
  const result = await client.query<{ name: string; setting: string; unit: string | null }>(
    "SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])",
    [names],
  );
  return new Map(result.rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting]));
}

/** Changes on every start of the cluster: how a restart is told from a reload. */
const postmasterStart = (client: Client) =>
  scalar<string>(client, "SELECT pg_postmaster_start_time()::text AS value");

async function pendingRestart(client: Client): Promise<Set<string>> {
  const result = await client.query<{ name: string }>(
    "SELECT name FROM pg_settings WHERE pending_restart",
  );
  return new Set(result.rows.map((r) => r.name));
}

function where(row: FileSetting): string {
  return `${row.sourcefile ?? "?"}:${row.sourceline ?? "?"}`;
}

function describeErrors(rows: readonly FileSetting[]): string {
  return rows.map((r) => `${where(r)}${r.name ? ` (${r.name})` : ""}: ${r.error}`).join("; ");
}

async function realpathOr(path: string): Promise<string> {
  return fs.realpath(path).catch(() => path);
}

/** The rows PostgreSQL read from `fragment`, comparing real paths (conf.d may be a symlink). */
async function rowsFrom(rows: readonly FileSetting[], fragment: string): Promise<FileSetting[]> {
  const target = await realpathOr(fragment);
  const files = [...new Set(rows.map((r) => r.sourcefile).filter((f): f is string => f !== null))];
  const matching = new Set<string>();
  for (const file of files) {
    if (file === fragment || (await realpathOr(file)) === target) matching.add(file);
  }
  return rows.filter((r) => r.sourcefile !== null && matching.has(r.sourcefile));
}

/** For each managed name, the line that wins: the last one PostgreSQL reads. */
function winners(rows: readonly FileSetting[], names: readonly string[]): Map<string, FileSetting> {
  const result = new Map<string, FileSetting>();
  for (const row of rows)
    if (row.name !== null && names.includes(row.name)) result.set(row.name, row);
  return result;
}

async function requireReadsFragment(
  client: Client,
  rows: readonly FileSetting[],
  fragment: string,
): Promise<FileSetting[]> {
  const ours = await rowsFrom(rows, fragment);
  if (ours.length > 0) return ours;
  const configFile = await scalar<string>(client, "SELECT current_setting('config_file') AS value");
  throw new JobError(
    `PostgreSQL does not read the managed fragment ${fragment}: no include in ${configFile} reaches it, so archiving settings would silently not apply`,
    `add the line "include '${fragment}'" at the end of ${configFile} (Debian's stock file has include_dir = 'conf.d' instead), then run the install document again`,
  );
}

function requireNotOverridden(ours: readonly FileSetting[], all: readonly FileSetting[]): void {
  const names = ours.map((r) => r.name).filter((n): n is string => n !== null);
  const problems: string[] = [];
  for (const [name, winner] of winners(all, names)) {
    const mine = ours.filter((r) => r.name === name).at(-1) as FileSetting;
    if (winner !== mine && winner.setting !== mine.setting) {
      problems.push(
        `${where(winner)} sets ${name} = '${winner.setting}' after the fragment's '${mine.setting}'`,
      );
    }
  }
  if (problems.length > 0) {
    throw new JobError(
      `PostgreSQL reads the managed fragment, but later lines override it: ${problems.join("; ")}`,
      "remove those lines (for postgresql.auto.conf: ALTER SYSTEM RESET <name>), then run the install document again",
    );
  }
}

async function reloadAndWait(client: Client): Promise<void> {
  const loadedAt = await scalar<string>(client, "SELECT pg_conf_load_time()::text AS value");
  if (!(await scalar<boolean>(client, "SELECT pg_reload_conf() AS value"))) {
    throw new JobError("pg_reload_conf() returned false: the postmaster was not signalled");
  }
  // The reload is a signal: this session re-reads the files at its next command. Wait for that,
  // or pending_restart would still describe the old files.
  await waitFor(
    async () =>
      (await scalar<boolean>(client, "SELECT pg_conf_load_time() > $1::timestamptz AS value", [
        loadedAt,
      ]))
        ? true
        : undefined,
    {
      timeoutMs: 30_000,
      intervalMs: 100,
      onTimeout: () =>
        new JobError("PostgreSQL did not re-read its config files within 30 s of pg_reload_conf()"),
    },
  );
}

async function reconnect(config: HostConfig, timeoutMs = 60_000): Promise<Client> {
  let last: unknown;
  return waitFor(
    async () => {
      try {
        return await connectPostgres(config);
      } catch (error) {
        last = error;
        return undefined;
      }
    },
    {
      timeoutMs,
      intervalMs: 500,
      onTimeout: () =>
        new JobError(
          `PostgreSQL does not accept connections after its restart: ${(last as Error)?.message ?? "unknown"}`,
          "read the PostgreSQL log",
        ),
    },
  );
}

export async function applyPostgresConf(config: HostConfig, log: Logger): Promise<ApplyReport> {
  const pg = config.postgres;
  const fragment = pg.managedConfigFile;
  if (!(await isRunning(pg.service))) {
    log.info(
      "PostgreSQL is not running: nothing to apply now; it reads the fragment when it starts",
      {
        fragment,
      },
    );
    return { service: "PostgreSQL", outcome: "not-running", appliedLive: [], restartedFor: [] };
  }
  await readFragment(fragment, "postgresql.conf");

  let client = await connectPostgres(config);
  try {
    const before = await fileSettings(client);
    const ours = await requireReadsFragment(client, before, fragment);
    const names = [...new Set(ours.map((r) => r.name).filter((n): n is string => n !== null))];
    log.info("PostgreSQL reads the managed fragment", { fragment, settings: names });
    requireNotOverridden(ours, before);
    // Syntax errors and unknown names make a reload skip lines and a restart fail. A value the
    // server cannot take now is expected for start-only settings (judged after the reload).
    const contexts = new Map(
      (
        await client.query<{ name: string; context: string }>(
          "SELECT name, context FROM pg_settings",
        )
      ).rows.map((r) => [r.name, r.context]),
    );
    const broken = before.filter(
      (r) =>
        r.error !== null &&
        !(r.error === NOT_APPLIED && r.name !== null && contexts.get(r.name) === "postmaster"),
    );
    if (broken.length > 0) {
      throw new JobError(
        `PostgreSQL's config files have errors, so nothing was reloaded: ${describeErrors(broken)}`,
        "fix those lines; a restart with them would fail",
      );
    }

    const startedAt = await postmasterStart(client);
    const liveBefore = await liveValues(client, names);
    await reloadAndWait(client);
    const liveAfter = await liveValues(client, names);
    const appliedLive = names.filter((n) => liveBefore.get(n) !== liveAfter.get(n));
    if (appliedLive.length > 0) {
      log.info("reload applied", {
        changed: appliedLive.map((n) => ({
          name: n,
          from: liveBefore.get(n),
          to: liveAfter.get(n),
        })),
      });
    }

    const pending = await pendingRestart(client);
    const invalid = (await fileSettings(client)).filter(
      (r) =>
        r.error !== null && !(r.error === NOT_APPLIED && r.name !== null && pending.has(r.name)),
    );
    if (invalid.length > 0) {
      throw new JobError(
        `PostgreSQL refuses values in its config files: ${describeErrors(invalid)}`,
        "fix those lines; PostgreSQL keeps running with the values it had",
      );
    }
    const restartFor = names.filter((n) => pending.has(n));
    const others = [...pending].filter((n) => !names.includes(n)).sort();
    if (restartFor.length === 0) {
      if (others.length > 0) {
        log.warn(
          "settings this stack does not manage wait for a PostgreSQL restart; not restarting for them",
          {
            settings: others,
          },
        );
      }
    } else {
      const fromFragment = new Map(ours.map((r) => [r.name, r.setting]));
      log.warn("managed settings take effect only at start: PostgreSQL will be restarted", {
        settings: settingChanges(restartFor, liveAfter, fromFragment),
        ...(others.length > 0 ? { alsoAppliedByTheRestart: others } : {}),
      });
      const old = client;
      client = await restartAndReconnect(
        "PostgreSQL",
        pg.service,
        { lockDir: config.paths.lockDir, jobs: RESTART_GUARDED_JOBS },
        restartFor,
        {
          close: () => old.end(),
          connect: () => reconnect(config),
          identity: postmasterStart,
          field: "started",
          unchanged: (at) => `PostgreSQL's start time is still ${at}`,
          serviceKey: "postgres.service",
        },
        startedAt,
        log,
      );
    }

    // Whatever happened, the server must now run every managed value.
    const stillPending = [...(await pendingRestart(client))].filter((n) => names.includes(n));
    const unapplied = [...winners(await fileSettings(client), names).values()].filter(
      (r) => !r.applied || r.error !== null,
    );
    const problems = [
      ...stillPending.map((n) => `${n} still waits for a restart`),
      ...unapplied.map((r) => `${where(r)} ${r.name} not applied${r.error ? ` (${r.error})` : ""}`),
    ];
    if (problems.length > 0) {
      throw new JobError(
        `PostgreSQL does not run the managed values: ${problems.join("; ")}`,
        "read the PostgreSQL log",
      );
    }
    return appliedReport("PostgreSQL", log, appliedLive, restartFor);
  } finally {
    await client.end().catch(() => undefined);
  }
}
