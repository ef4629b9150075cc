/**
 * `npm run drill` command line: what each option means, its range, and how the point-in-time
 * target is written. Checks everything it can before the drill starts; the load length against the
 * stack's archive_timeout is checked once the stack's host config is known (`checkLoadSeconds`).
 */
import { join, resolve } from "node:path";
import {
  DEFAULT_POSTGRES_ENGINE,
  isPostgresEngineKey,
  POSTGRES_ENGINE_KEYS,
  type PostgresEngineKey,
} from "../../../infra/catalog/engines";
import {
  decimalIn,
  exitWithUsageError,
  parseCommandLine,
  wholeNumberIn,
} from "../../cli/commandLine";
import { parseTargetTime } from "../../lib/postgres/targetTime";
import { REPO_ROOT, requireStackFile } from "../plan";

/** The point-in-time pass's target: the default, an offset into the load, or a time. */
export type ToTime =
  | { readonly kind: "default" }
  | { readonly kind: "into-load"; readonly seconds: number }
  | { readonly kind: "at"; readonly time: Date };

/** Where the drill's pg-backup reads the data files: the primary, or a streaming standby of it. */
export const BACKUP_FROM = ["primary", "standby"] as const;
export type BackupFrom = (typeof BACKUP_FROM)[number];

function isBackupFrom(text: string): text is BackupFrom {
  return (BACKUP_FROM as readonly string[]).includes(text);
}

export interface DrillOptions {
  readonly stack: string;
  /** MiB the check tables grow the database to. */
  readonly scaleMb: number;
  /** undefined: the stack's engine. */
  readonly engine?: PostgresEngineKey;
  /**
   * `standby`: the sandbox gets a streaming standby that pg-backup must read from (no fallback to
   * the primary), and the backup step fails unless pg-backup says it read it.
   */
  readonly backupFrom: BackupFrom;
  readonly redisKeys: number;
  /** undefined: the stack's archive_timeout + LOAD_BEYOND_ARCHIVE_TIMEOUT_SECONDS. */
  readonly loadSeconds?: number;
  readonly toTime: ToTime;
  /** JSON report; report.md and report.html are written beside it. */
  readonly out: string;
}

/** The default load outlasts archive_timeout by this much: one segment of it is archived in time. */
export const LOAD_BEYOND_ARCHIVE_TIMEOUT_SECONDS = 20;
/** The shortest load that still archives a segment of it before the disaster (switch, then push). */
export const MIN_LOAD_BEYOND_ARCHIVE_TIMEOUT_SECONDS = 10;

export const DRILL_COMMAND = {
  command: "npm run drill --",
  name: "drill",
  summary:
    "The runbook's quarterly DR drill on the local sandbox, through the artifacts and SSM documents\n" +
    "`pulumi up` ships: seed, back up, keep writing, destroy, restore PostgreSQL to the newest state\n" +
    "and to a point in time, restore Redis and configs, check everything by content. Prints a table\n" +
    "of steps and writes report.json, report.md and report.html (timeline, RPO and RTO against the\n" +
    "stack's targets).",
  options: {
    scale: {
      type: "string",
      value: "MB",
      default: "300",
      description:
        "grow stellar_insights' check tables (anchors, corridors) to this many MiB (1-10240)",
    },
    engine: {
      type: "string",
      value: "NAME",
      description: `PostgreSQL engine: ${POSTGRES_ENGINE_KEYS.join(" or ")} (default: the stack's; wal-g needs WALG_BINARY)`,
    },
    "backup-from": {
      type: "string",
      value: "WHERE",
      default: "primary",
      description: `where pg-backup reads the data files: ${BACKUP_FROM.join(" or ")}; standby starts a streaming\nstandby in the sandbox, fails the backup step unless pg-backup read it, and stops it\nbefore the disaster`,
    },
    "redis-keys": {
      type: "string",
      value: "N",
      default: "500",
      description: "Redis keys seeded before the backup (1-1000000)",
    },
    "load-seconds": {
      type: "string",
      value: "S",
      description: `seconds of steady writes between the backups and the disaster, at least the stack's\narchive_timeout + ${MIN_LOAD_BEYOND_ARCHIVE_TIMEOUT_SECONDS} (default: archive_timeout + ${LOAD_BEYOND_ARCHIVE_TIMEOUT_SECONDS}; at most 3600)`,
    },
    "to-time": {
      type: "string",
      value: "TIME",
      description:
        "point-in-time target inside the load: a time with an offset (2026-11-29T15:40:12.250Z) or\n+S, S seconds after the load started (default: between two writes mid-way through the\nwrites the archive received)",
    },
    stack: { type: "string", value: "NAME", default: "prod", description: "stack to drill" },
    out: {
      type: "string",
      value: "FILE",
      default: join("out", "drill", "report.json"),
      description:
        "JSON report (relative to the repository); report.md and report.html go beside it",
    },
  },
  exitCodes: {
    0: "every step passed",
    1: "a step failed (the table and the reports say which and why), or the sandbox's tools could\nnot be installed",
    2: "bad command line, a value out of range, unknown stack or invalid stack config, a load too\nshort for the stack's archive_timeout, the engine is not installed, or an --out that cannot\nbe written",
    130: "interrupted by Ctrl-C (143: SIGTERM, 141: stdout closing, 129: its parent gone): one stderr line names the step;\nthe sandbox is stopped and its temp dir removed, no report is written",
  },
} as const;

function parseToTime(text: string | undefined, problems: string[]): ToTime {
  if (text === undefined) return { kind: "default" };
  if (text.startsWith("+")) {
    const seconds = Number(text.slice(1));
    if (!/^\+\d+(\.\d+)?$/.test(text) || seconds <= 0) {
      problems.push(`--to-time '${text}': +S must be a positive number of seconds, e.g. +30`);
      return { kind: "default" };
    }
    return { kind: "into-load", seconds };
  }
  const parsed = parseTargetTime(text);
  if ("problem" in parsed) {
    problems.push(`--to-time: ${parsed.problem.replace(/^TARGET_TIME=/, "")}, or +S`);
    return { kind: "default" };
  }
  return { kind: "at", time: parsed.time };
}

/** Reads the command line; exits 2 naming every problem. */
export function parseDrillOptions(argv?: string[]): DrillOptions {
  const values = parseCommandLine(DRILL_COMMAND, argv);
  const problems: string[] = [];
  const scaleMb = wholeNumberIn(values.scale, 1, 10240);
  if (scaleMb === undefined)
    problems.push(`--scale '${values.scale}' must be a whole number of MiB from 1 to 10240`);
  const engine = values.engine;
  if (engine !== undefined && !isPostgresEngineKey(engine))
    problems.push(
      `--engine '${engine}' is not an engine; allowed: ${POSTGRES_ENGINE_KEYS.join(", ")}`,
    );
  const backupFrom = values["backup-from"];
  if (!isBackupFrom(backupFrom))
    problems.push(
      `--backup-from '${backupFrom}' is not where a backup can be read from; allowed: ${BACKUP_FROM.join(", ")}`,
    );
  const redisKeys = wholeNumberIn(values["redis-keys"], 1, 1_000_000);
  if (redisKeys === undefined)
    problems.push(
      `--redis-keys '${values["redis-keys"]}' must be a whole number from 1 to 1000000`,
    );
  const loadText = values["load-seconds"];
  const loadSeconds = decimalIn(loadText, 1, 3600);
  if (loadText !== undefined && loadSeconds === undefined)
    problems.push(`--load-seconds '${loadText}' must be from 1 to 3600`);
  const toTime = parseToTime(values["to-time"], problems);
  if (toTime.kind === "at" && toTime.time.getTime() < Date.now() - 1000)
    problems.push(
      `--to-time '${values["to-time"]}' is in the past: the target must fall inside this drill's load (use +S for seconds into it)`,
    );
  if (toTime.kind === "into-load" && loadSeconds !== undefined && toTime.seconds >= loadSeconds)
    problems.push(`--to-time '${values["to-time"]}' is not inside the load of ${loadSeconds} s`);
  if (
    problems.length > 0 ||
    scaleMb === undefined ||
    redisKeys === undefined ||
    !isBackupFrom(backupFrom)
  )
    return exitWithUsageError(DRILL_COMMAND, problems);
  requireStackFile(DRILL_COMMAND, values.stack);
  return {
    stack: values.stack,
    scaleMb,
    ...(engine !== undefined ? { engine: engine as PostgresEngineKey } : {}),
    backupFrom,
    redisKeys,
    ...(loadSeconds !== undefined ? { loadSeconds } : {}),
    toTime,
    out: resolve(REPO_ROOT, values.out),
  };
}

/**
 * The load length for a stack whose archive_timeout is `archiveTimeoutSeconds`, or the problem:
 * a load shorter than archive_timeout + MIN_LOAD_BEYOND_ARCHIVE_TIMEOUT_SECONDS would have none of
 * its WAL archived before the disaster (PostgreSQL switches segments only on archive_timeout under
 * a light load), so no point inside it could be restored.
 */
export function checkLoadSeconds(
  options: DrillOptions,
  archiveTimeoutSeconds: number,
): { seconds: number } | { problem: string } {
  const seconds =
    options.loadSeconds ?? archiveTimeoutSeconds + LOAD_BEYOND_ARCHIVE_TIMEOUT_SECONDS;
  const least = archiveTimeoutSeconds + MIN_LOAD_BEYOND_ARCHIVE_TIMEOUT_SECONDS;
  if (seconds < least)
    return {
      problem: `--load-seconds ${seconds} is shorter than the stack's archive_timeout (${archiveTimeoutSeconds} s) + ${MIN_LOAD_BEYOND_ARCHIVE_TIMEOUT_SECONDS} s = ${least} s: no WAL of the load would be archived before the disaster, so there would be no point inside it to restore to`,
    };
  if (options.toTime.kind === "into-load" && options.toTime.seconds >= seconds)
    return {
      problem: `--to-time +${options.toTime.seconds} is not inside the load of ${seconds} s`,
    };
  return { seconds };
}

/** `--engine`, or the stack's; the reason to exit 2 when it cannot run here. */
export function drillEngine(
  options: DrillOptions,
  stackEngine: PostgresEngineKey | undefined,
): PostgresEngineKey {
  return options.engine ?? stackEngine ?? DEFAULT_POSTGRES_ENGINE;
}
