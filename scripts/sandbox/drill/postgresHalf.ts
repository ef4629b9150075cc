/**
 * The drill's PostgreSQL half, step by step, through the documents the stack ships: grow the check
 * tables, back up through `pg-backup`, write steadily, lose the host's data directory, restore
 * through `pg-restore` (newest state, then a point in time) and check each restore by content.
 * Nothing here names an engine: the documents' jobs go through the engine seam.
 */
import { existsSync, rmSync } from "node:fs";
import type { Client } from "pg";
import type { StandbyCluster } from "../../../infra/catalog/backupFrom";
import { CONFIRM_VALUE } from "../../../infra/catalog";
import { connectPostgres } from "../../lib/postgres/connection";
import { livePostmasterPid } from "../../lib/postgres/shutdown";
import { waitFor } from "../../lib/job/time";
import { engineFor } from "../../lib/engines";
import { hostIdOf } from "../../lib/job/hostConfig";
import { parseLogLines } from "../../lib/job/log";
import { standbyAddress } from "../../lib/postgres/standbyBackup";
import type { Plan } from "../plan";
import type { Sandbox } from "../sandbox";
import {
  growCheckTables,
  verifyCheckTables,
  type CheckTable,
  type SeededTables,
} from "./checkTablesAtScale";
import type { BackupFrom } from "./options";
import { createLoadTable, LOAD_TABLE, readLoadTable, startPostgresLoad } from "./postgresLoad";
import type { PostgresPass } from "./report";
import { sendDocument } from "./sendDocument";
import type { SteadyWrites } from "./steadyWriter";
import {
  checkWrites,
  describeWriteCheck,
  recoveryPointSeconds,
  splitAtNewestRestored,
  splitAtTarget,
  type TargetSplit,
} from "./writeCheck";

/** A connection to the check database (`stellar_insights`). */
export function connectCheckDatabase(sb: Sandbox): Promise<Client> {
  return connectPostgres(sb.hostConfig, sb.hostConfig.postgres.check.database);
}

/** Grows the check tables to `scaleMb` and creates the (empty) load table, before the backup. */
export async function seedPostgres(sb: Sandbox, scaleMb: number): Promise<SeededTables> {
  const client = await connectCheckDatabase(sb);
  try {
    const seeded = await growCheckTables(client, scaleMb);
    await createLoadTable(client);
    return seeded;
  } finally {
    await client.end();
  }
}

/** The full backup pg-backup took and where it read the data files, in its own words. */
export interface PostgresBackup {
  readonly name: string;
  readonly readFrom: BackupFrom;
  /** From pg-backup's summary: `read from the standby at <socketDir>:<port> (0.0 MiB behind the primary)`. */
  readonly readFromNote: string;
}

/** What pg-backup's summary says for each place it reads from (scripts/lib/postgres/standbyBackup.ts). */
const READ_FROM_NOTE: Readonly<Record<BackupFrom, RegExp>> = {
  primary: /read from the primary(?!, not the standby)/,
  standby: /read from the standby at (\S+) \([\d.]+ MiB behind the primary\)/,
};

/**
 * Where pg-backup read the data files, from its stdout: the `backup started` line's `readFrom`
 * and the summary's words. Throws unless both say `expected` (and, for the standby, name the
 * sandbox's): the job's own output is the proof, not the host config that asked for it.
 */
export function readFromOf(
  stdout: string,
  expected: BackupFrom,
  standby: StandbyCluster | undefined,
): string {
  const logs = parseLogLines(stdout);
  const readFrom = logs.find((l) => l.msg === "backup started")?.fields?.readFrom;
  const summary = logs.find((l) => l.msg === "finished")?.fields?.summary;
  const said = typeof summary === "string" ? READ_FROM_NOTE[expected].exec(summary) : null;
  const address = standby ? standbyAddress(standby) : undefined;
  if (readFrom !== expected || said === null || (expected === "standby" && said[1] !== address))
    throw new Error(
      `pg-backup was to read the data files from the ${expected}${address ? ` at ${address}` : ""} (--backup-from ${expected}), but its log says readFrom ${JSON.stringify(readFrom)} and its summary ${JSON.stringify(summary)}`,
    );
  return said[0];
}

/**
 * The full backup through `pg-backup` (StartFast: a person is waiting), read from where `from`
 * says (`readFromOf`); its name from the engine. Throws when the document fails, the job read from
 * elsewhere, or the S3 repository lists no backup.
 */
export async function backupPostgres(
  plan: Plan,
  sb: Sandbox,
  from: BackupFrom,
): Promise<PostgresBackup> {
  const stdout = await sendDocument(plan, sb, "pg-backup", { StartFast: "yes" });
  const readFromNote = readFromOf(stdout, from, sb.standby);
  const engine = engineFor(sb.hostConfig, hostIdOf(sb.hostConfig));
  const newest = (await engine.list("s3")).at(-1);
  if (!newest) throw new Error("pg-backup passed but the S3 repository lists no backup");
  return { name: newest.name, readFrom: from, readFromNote };
}

/**
 * Stops the sandbox's streaming standby, if it has one, before the primary is destroyed: once the
 * primary is restored to an older point on a new timeline, the standby, which replayed further,
 * could not follow it. A fast shutdown; the sandbox's stop() finds it already down. Resolves to
 * the words for the step's detail, empty without a standby.
 */
export async function stopStandby(sb: Sandbox): Promise<string> {
  if (!sb.standby) return "";
  await sb.standby.halt();
  return `standby at ${standbyAddress(sb.standby)} stopped first (a primary restored to an older point leaves it behind: it cannot follow); `;
}

/** Starts the steady writer on its own connection. */
export async function startLoad(sb: Sandbox): Promise<SteadyWrites & { close(): Promise<void> }> {
  const client = await connectCheckDatabase(sb);
  const writes = startPostgresLoad(client);
  return {
    startedAt: writes.startedAt,
    acked: writes.acked,
    stop: () => writes.stop(),
    close: () => client.end().catch(() => undefined),
  };
}

/**
 * The host's data directory is lost: PostgreSQL is stopped the immediate way (SIGQUIT to the
 * postmaster: no checkpoint, no WAL switch, nothing more archived, as when the host dies; production
 * forces no switch at a disaster, so neither does the drill) and the data directory is deleted.
 */
export async function destroyPostgres(sb: Sandbox): Promise<void> {
  const pgData = sb.hostConfig.postgres.pgData;
  const pid = await livePostmasterPid(pgData);
  if (pid === undefined) throw new Error(`PostgreSQL is not running on ${pgData}`);
  process.kill(pid, "SIGQUIT");
  await waitFor(async () => ((await livePostmasterPid(pgData)) === undefined ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 100,
    onTimeout: () => new Error(`PostgreSQL (pid ${pid}) did not stop within 30 s of SIGQUIT`),
  });
  rmSync(pgData, { recursive: true, force: true });
  if (existsSync(pgData)) throw new Error(`${pgData} is still there`);
}

/** pg-restore through its document, confirmed; `time`: the point-in-time target. */
export async function restorePostgres(plan: Plan, sb: Sandbox, time?: Date): Promise<string> {
  return sendDocument(plan, sb, "pg-restore", {
    Confirm: CONFIRM_VALUE,
    ...(time ? { Target: "time", TargetTime: time.toISOString() } : { Target: "latest" }),
  });
}

export interface VerifiedPass {
  readonly pass: Omit<PostgresPass, "restoreSeconds" | "target">;
  readonly split: TargetSplit;
  readonly detail: string;
}

/**
 * Checks a restored database by content: every check-table row against its rule, every load write
 * the split expects back with its value, none it forbids; then commits one write (the database is
 * writable). `time`: the point-in-time target; without it, the newest state (loss allowed only at
 * the end). Throws with what differs.
 */
export async function verifyPass(
  sb: Sandbox,
  seeded: Readonly<Record<CheckTable, number>>,
  load: SteadyWrites,
  time?: Date,
): Promise<VerifiedPass> {
  const client = await connectCheckDatabase(sb);
  try {
    const tables = await verifyCheckTables(client, seeded);
    const restored = await readLoadTable(client);
    const split = time
      ? splitAtTarget(load.acked, time.getTime())
      : splitAtNewestRestored(load.acked, restored);
    const inFlight = String(load.acked.length);
    const check = checkWrites(split, restored, inFlight);
    if (!check.ok) throw new Error(`${LOAD_TABLE}: ${describeWriteCheck(check)}`);
    await client.query(
      `INSERT INTO ${LOAD_TABLE} (id, payload) VALUES (-1, 'writable after the restore')`,
    );
    await client.query(`DELETE FROM ${LOAD_TABLE} WHERE id = -1`);
    const rows = Object.values(tables);
    const checkExpected = rows.reduce((n, t) => n + t.expected, 0);
    const checkRestored = rows.reduce((n, t) => n + t.restored, 0);
    const writesAcked = load.acked.length;
    const pass = {
      // The newest state: every acknowledged write was wanted; what is missing was lost (RPO).
      rowsExpected: checkExpected + (time ? check.expected : writesAcked),
      rowsRestored: checkRestored + check.restored,
      writesExpected: time ? check.expected : writesAcked,
      writesRestored: check.restored,
      writesNotBack: writesAcked - check.restored - check.undecided,
      writesUndecided: check.undecided,
    };
    const tableText = Object.entries(tables)
      .map(([t, r]) => `${t} ${r.restored}/${r.expected}`)
      .join(", ");
    const writesText = time
      ? `${check.restored}/${check.expected} writes committed by the target back, none of the ${split.forbidden.length} after it${check.undecided ? ` (${check.undecided} in flight at the target, not judged)` : ""}`
      : `${check.restored}/${writesAcked} acknowledged writes back, the first ${check.restored} in order, ${writesAcked - check.restored} lost at the end`;
    return {
      pass,
      split,
      detail: `rows by content: ${tableText}; ${writesText}; a write committed`,
    };
  } finally {
    await client.end();
  }
}

/** RPO of the newest-state pass, seconds (writeCheck.recoveryPointSeconds). */
export function postgresRpo(load: SteadyWrites, split: TargetSplit): number {
  return recoveryPointSeconds(load.acked, split, load.startedAt);
}
