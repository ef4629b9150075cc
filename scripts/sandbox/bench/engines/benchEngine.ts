/**
 * One PostgreSQL backup engine as the bench drives it: where it stores, what PostgreSQL's
 * archive_command becomes while it runs, a full backup with an immediate checkpoint, and a
 * restore of its newest backup into an empty data directory, recovering to the end of its archive.
 * The bench times these; the engine says nothing about time.
 */
import { writeFile, chown } from "node:fs/promises";
import type { HostConfig } from "../../../../infra/catalog/hostConfig";
import type { BackupKind, EngineBackup } from "../../../lib/engines/adapter";
import { account } from "../../../lib/job/accounts";
import { asOsUser } from "../../../lib/engines/engineProcess";
import { runChecked, type CommandResult } from "../../../lib/job/exec";
import { SANDBOX_AWS_ENV } from "../../moto";
import type { Sandbox } from "../../sandbox";

/**
 * archive_timeout for the engines compared with this project's: the runbook's minute, so the
 * reference engines run as a team following the runbook would run them. This project's engine
 * runs with the stack's shipped value instead.
 */
export const REFERENCE_ARCHIVE_TIMEOUT_SECONDS = 60;

export type BenchEngineKey = "project" | "pgbackrest-stock" | "barman-cloud" | "wal-g";

export interface BenchEngine {
  readonly key: BenchEngineKey;
  /** `pgBackRest 2.45, shipped defaults` */
  readonly title: string;
  /** What it runs with that bears on the figures (compression, processes, archive_timeout, …). */
  readonly settings: Readonly<Record<string, string | number>>;
  readonly archiveTimeoutSeconds: number;
  /** Every object it stores is under this prefix (ends with `/`). */
  readonly repositoryPrefix: string;
  /** Its WAL archive (ends with `/`). */
  readonly walPrefix: string;
  /** PostgreSQL's archive_command while this engine is measured. */
  readonly archiveCommand: string;
  /** Creates its repository; a second call is harmless. */
  prepare(): Promise<void>;
  /** A full backup with an immediate checkpoint; resolves once it is complete in the repository. */
  backup(): Promise<void>;
  /**
   * Restores the newest backup into `pgData` (empty, owned by the cluster's OS user) and leaves
   * the recovery settings that replay its archive to the end. PostgreSQL is not started.
   */
  restore(pgData: string, scratchRoot: string): Promise<void>;
  /** Backups of a chosen kind and restores of a chosen backup; absent for an engine without plans. */
  readonly plans?: PlanEngine;
}

/** What the backup-plans group drives: the kinds a plan takes, and a restore of one backup alone. */
export interface PlanEngine {
  /** A backup of `kind` with an immediate checkpoint, as the engine then lists it (storedBytes: its own bytes in the repository). */
  backup(kind: BackupKind): Promise<EngineBackup>;
  /**
   * Restores the backup named `name` (reading its chain) into `pgData` (empty, owned by the
   * cluster's OS user) with recovery that stops at its consistency point and promotes there.
   * PostgreSQL is not started.
   */
  restore(name: string, pgData: string, scratchRoot: string): Promise<void>;
}

/** An engine that cannot run here, and why (printed as "skipped"). */
export interface SkippedEngine {
  readonly key: BenchEngineKey;
  readonly title: string;
  readonly skipped: string;
}

/** What the bench's own engine runs need from the sandbox. */
export interface BenchEngineContext {
  readonly sandbox: Sandbox;
  readonly host: HostConfig;
  /** A directory the cluster's OS user may enter, for the engine's config, logs and locks. */
  readonly root: string;
}

/** Credentials and the TLS front's CA for the engines' own S3 clients (the AWS CLI conventions). */
export function s3ToolEnv(context: BenchEngineContext): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: SANDBOX_AWS_ENV.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SANDBOX_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: SANDBOX_AWS_ENV.AWS_SESSION_TOKEN,
    AWS_DEFAULT_REGION: context.host.region,
    AWS_CA_BUNDLE: context.sandbox.tlsFront.caFile,
  };
}

/** `env K=V … argv`: the environment travels in the argument vector, through runuser and archive_command alike. */
export function withEnv(env: Readonly<Record<string, string>>, argv: readonly string[]): string[] {
  return ["env", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
}

/** Runs `argv` as the cluster's OS user; a non-zero exit throws with the end of its output. */
export function runAsClusterUser(
  host: HostConfig,
  argv: readonly string[],
  timeoutMs: number,
): Promise<CommandResult> {
  return runChecked(asOsUser(host.postgres.engine.osUser, argv), { timeoutMs });
}

/** Writes `text` to `path` for the cluster's OS user only (engine configs hold credentials). */
export async function writeOwnedFile(host: HostConfig, path: string, text: string): Promise<void> {
  const owner = account(host.postgres.engine.osUser);
  await writeFile(path, text, { mode: 0o600 });
  await chown(path, owner.uid, owner.gid);
}
