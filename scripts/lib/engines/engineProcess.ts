/**
 * How an adapter runs its engine: as the OS user that owns PGDATA (jobs run as root; the engines
 * refuse or misbehave as root and must create files PostgreSQL can read), without a shell, with a
 * timeout, and with the engine's config rendered from the host config.
 */
import { clusterSegmentSize } from "../postgres/controlData";
import { chown, mkdir, readdir, rm } from "node:fs/promises";
import { availableParallelism, userInfo } from "node:os";
import { dirname, join } from "node:path";
import {
  defaultProcessMax,
  engineConfigPath,
  RESTORE_UNREADABLE_MARKER_PREFIX,
  versionSupported,
  type EngineConfigInputs,
  type PostgresEngineDescriptor,
  type EngineSecrets,
} from "../../../infra/catalog/engines";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { engineRetentionDays } from "../../../infra/catalog/stackDefaults";
import { account } from "../job/accounts";
import { writeFileAtomic } from "../files/atomicFile";
import { JobError } from "../job/errors";
import { runCommand, type CommandResult } from "../job/exec";
import type { InstallState } from "./adapter";

/** Run `argv` as `osUser`, switching with runuser when this process is root. */
export function asOsUser(osUser: string, argv: readonly string[]): string[] {
  const me = userInfo().username;
  if (me === osUser || process.getuid?.() !== 0) return [...argv];
  return ["runuser", "-u", osUser, "--", ...argv];
}

/**
 * Runs the engine with `args` as its OS user. `options.env`: variables added to this process's
 * environment for that run (runuser keeps the environment); `discardStdout` as in `runCommand`.
 */
export function runEngine(
  config: HostConfig,
  args: readonly string[],
  timeoutMs: number,
  options: {
    readonly env?: Readonly<Record<string, string>>;
    readonly discardStdout?: boolean;
  } = {},
): Promise<CommandResult> {
  const { engine } = config.postgres;
  return runCommand(asOsUser(engine.osUser, [engine.binary, ...args]), {
    timeoutMs,
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    ...(options.discardStdout ? { discardStdout: true } : {}),
  });
}

/** `postgres/<host>`: this host's repository in the bucket. */
export function s3RepositoryPath(config: HostConfig, hostId: string): string {
  return `${config.s3Prefixes.postgres}${hostId}`;
}

export function localRepositoryPath(config: HostConfig): string {
  return join(config.local.root, "postgres");
}

/** Creates the engine's own directories (spool, logs, locks, local repository) for its OS user. */
export async function prepareEngineDirectories(config: HostConfig): Promise<void> {
  const { engine } = config.postgres;
  const owner = account(engine.osUser);
  for (const dir of [engine.spoolDir, engine.logDir, engine.lockDir, localRepositoryPath(config)]) {
    // Parents stay traversable for the OS user; only the engine's own directory is private.
    await mkdir(dirname(dir), { recursive: true, mode: 0o755 });
    await mkdir(dir, { recursive: true, mode: 0o750 });
    await chown(dir, owner.uid, owner.gid);
  }
}

/**
 * Renders the engine config for this host (and its companion file, for an engine that has one) and
 * writes each readable by the engine's OS user only (mode 0600): they may carry `secrets`, which
 * archive_command needs as much as the jobs do. An engine that reads no config file gets none.
 */
export async function writeEngineConfig(
  descriptor: PostgresEngineDescriptor,
  config: HostConfig,
  hostId: string,
  secrets: EngineSecrets = {},
): Promise<void> {
  const file = descriptor.configFile;
  if (!file) return;
  const { engine } = config.postgres;
  const pg = config.postgres;
  const inputs: EngineConfigInputs = {
    stack: config.stack,
    region: config.region,
    bucket: config.bucket,
    ...(config.kmsKeyArn ? { kmsKeyArn: config.kmsKeyArn } : {}),
    s3RepositoryPath: s3RepositoryPath(config, hostId),
    localRepositoryPath: localRepositoryPath(config),
    retentionDays: engineRetentionDays(config),
    backupPlan: pg.backupPlan,
    engine,
    processMax: engine.processMax ?? defaultProcessMax(availableParallelism()),
    pg: {
      pgData: pg.pgData,
      port: pg.connection.port,
      socketDir: pg.socketDir,
      user: pg.connection.user,
      binDir: pg.binDir,
      walSegmentBytes: (await clusterSegmentSize(config)).bytes,
    },
    ...secrets,
  };
  const installed = await engineInstallState(descriptor, engine.binary);
  const versioned = installed.installed ? { ...inputs, engineVersion: installed.version } : inputs;
  const path = engineConfigPath(engine);
  const files: [string, string][] = [[path, file.render(versioned)]];
  if (file.companion) files.push([file.companion.file(path), file.companion.render(versioned)]);
  for (const [path, text] of files) await writeEngineFile(config, path, text);
}

/** Writes `text` as the engine config file: the engine's OS user's, mode 0600. */
export async function writeEngineConfigText(config: HostConfig, text: string): Promise<void> {
  await writeEngineFile(config, engineConfigPath(config.postgres.engine), text);
}

async function writeEngineFile(config: HostConfig, path: string, text: string): Promise<void> {
  const { engine } = config.postgres;
  const owner = account(engine.osUser);
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  await writeFileAtomic(path, text, { mode: 0o600, uid: owner.uid, gid: owner.gid });
}

/** Whether `binary` runs and prints a version the descriptor can read; never throws. */
export async function engineInstallState(
  descriptor: PostgresEngineDescriptor,
  binary: string,
): Promise<InstallState> {
  const shown = `${binary} ${descriptor.versionArgs.join(" ")}`;
  try {
    const result = await runCommand([binary, ...descriptor.versionArgs], { timeoutMs: 30_000 });
    const version = descriptor.parseVersion(`${result.stdout}${result.stderr}`);
    if (result.code !== 0 || !version)
      return { installed: false, reason: `'${shown}' did not print a version` };
    return { installed: true, version, supported: versionSupported(descriptor, version) };
  } catch (error) {
    return { installed: false, reason: `${binary}: ${(error as Error).message}` };
  }
}

/** The installed version; a `JobError` saying what to install when it is missing or unsupported. */
export async function requireEngineInstalled(
  descriptor: PostgresEngineDescriptor,
  binary: string,
  installHint: string,
): Promise<string> {
  const state = await engineInstallState(descriptor, binary);
  const range = `${descriptor.versions.min} up to (not including) ${descriptor.versions.maxExclusive}`;
  if (!state.installed)
    throw new JobError(`${descriptor.title} is not installed: ${state.reason}`, installHint);
  if (!state.supported)
    throw new JobError(
      `${descriptor.title} ${state.version} is not supported here (need ${range})`,
      installHint,
    );
  return state.version;
}

/** Creates `dirs` for the engine's OS user (mode 0750) when missing. */
export async function ownedDirectories(osUser: string, dirs: readonly string[]): Promise<void> {
  const owner = account(osUser);
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true, mode: 0o750 });
    await chown(dir, owner.uid, owner.gid);
  }
}

/**
 * Forgets which repositories an earlier restore's restore_command found failing (its markers in
 * `stateDir`): every restore starts by asking S3 first.
 */
export async function forgetUnreadableRepositories(stateDir: string): Promise<void> {
  for (const name of await readdir(stateDir).catch(() => [] as string[]))
    if (name.startsWith(RESTORE_UNREADABLE_MARKER_PREFIX))
      await rm(join(stateDir, name), { force: true });
}
