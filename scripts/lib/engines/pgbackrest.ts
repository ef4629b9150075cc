/**
 * The pgBackRest adapter (descriptor: infra/catalog/engines/pgbackrest.ts). repo1 is the bucket,
 * repo2 the local repository. Output is read from `info --output=json`; `verify` prints no JSON in
 * 2.45 and exits 0 even when it finds damage, so its report is read from its log lines.
 * Error codes from pgBackRest's src/build/error/error.yaml.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  engineConfigPath,
  isBackupDataKey,
  POSTGRES_ENGINES,
} from "../../../infra/catalog/engines";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import type { OtherBucket } from "../../../infra/catalog/engines/descriptor";
import type { StandbyCluster } from "../../../infra/catalog/backupFrom";
import {
  otherBucketOptions,
  PGBACKREST_CIPHER_TYPE,
  stanzaOf,
} from "../../../infra/catalog/engines/pgbackrest";
import { EngineAdapterBase } from "./adapterBase";
import { recoveryTargetTime } from "../postgres/targetTime";
import { readControlData } from "../postgres/controlData";
import { removeStandbySignal } from "../postgres/standbySignal";
import { JobError } from "../job/errors";
import { waitFor } from "../job/time";
import { showArgv, type CommandResult } from "../job/exec";
import type { Logger } from "../job/log";
import { damagedBackupMessage } from "../postgres/damagedBackups";
import { gapsBetween, rangesOf, withoutSegments, type WalRange } from "../postgres/walSegments";
import { collectTimelines, newestOnTimeline, walProblems } from "./walHistory";
import {
  ANOTHER_CLUSTER_HINT,
  anotherClusterError,
  REPOSITORIES,
  type ArchivedSegment,
  type BackupKind,
  type BackupRequest,
  type EngineBackup,
  type TimelineHistory,
  type PostgresEngineAdapter,
  type Repository,
  type RepositorySource,
  type RestoreRequest,
  type RestoreTarget,
  type VerifyProblem,
  type VerifyReport,
} from "./adapter";
import {
  forgetUnreadableRepositories,
  ownedDirectories,
  prepareEngineDirectories,
  runEngine,
  s3RepositoryPath,
} from "./engineProcess";
import { whileStanzaLockHeld } from "./stanzaLockWait";

const descriptor = POSTGRES_ENGINES.pgbackrest;
/** How long to wait for archive-push's error file to reappear (milliseconds). */
const ARCHIVE_ERROR_WAIT_MS = 10_000;
const HOUR_MS = 3_600_000;

const REPO_INDEX: Readonly<Record<Repository, number>> = { s3: 1, local: 2 };
const TYPE_ARG: Readonly<Record<BackupKind, string>> = {
  full: "full",
  differential: "diff",
  incremental: "incr",
};
const KIND_OF: Readonly<Record<string, BackupKind>> = {
  full: "full",
  diff: "differential",
  incr: "incremental",
};

/** What to do next for the pgBackRest errors an on-call engineer meets. */
const HINTS: Readonly<Record<string, string>> = {
  "028": ANOTHER_CLUSTER_HINT,
  "050":
    "another pgBackRest command holds this stanza's lock; wait for it or look for a stuck process",
  "051": ANOTHER_CLUSTER_HINT,
  "055":
    "this cluster's repository is missing (never created, or deleted): run the install document, whose pg-engine-setup step creates it, then pg-backup",
  "056": "PostgreSQL is not running as a primary here; check the service and pg_is_in_recovery()",
  "082":
    "WAL was not archived in time: check archive_command, pg_stat_archiver and S3 reachability from this host",
};

/**
 * A backup read from a standby fails with [056] when the standby is not where pg2 points, and with
 * [082] when the standby does not replay to the backup's start in time: the standby's trouble,
 * not the primary's or archiving's.
 */
const STANDBY_CODES = new Set(["056", "082"]);
const STANDBY_HINT =
  "the standby could not be read from: check that it runs in postgres.backupFrom.standby's data directory and port, that it streams from the primary (pg_stat_wal_receiver) and that replay is not paused (pg_is_wal_replay_paused())";

/** [055] about the config file itself, not a repository file: the host was never set up. */
const CONFIG_MISSING_HINT =
  "this host's engine config is missing: run the install document, whose pg-engine-setup step writes it and creates the repositories";

/** How pgBackRest reports a repository it cannot open with the configured cipher and passphrase. */
const CIPHER_ERROR = /CryptoError|is or was the repo encrypted/;
const CIPHER_HINT =
  "the repository cannot be decrypted with the passphrase in the engine config: this host needs the stack's passphrase (SSM parameter named by clientSideEncryption in the host config): run the install document, whose pg-engine-setup step fetches it, and check that the parameter was not changed";

/**
 * `--type` and `--target` of `restore` per target, and the timeline recovery follows (pgBackRest
 * 2.45 command reference, restore). The timeline goes in as a recovery setting for every type:
 * 2.45 takes `--target-timeline` with some types only, and PostgreSQL's default (`latest`) would
 * follow any newer timeline in the repository.
 */
function targetArgs(target: RestoreTarget, timeline: number): string[] {
  const along = `--recovery-option=recovery_target_timeline=${timeline}`;
  switch (target.kind) {
    case "latest":
      // Replays to the end of archived WAL and promotes there; --target-action is refused with it.
      return ["--type=default", along];
    case "backup":
      return ["--type=immediate", "--target-action=promote", along];
    case "time":
      return [
        "--type=time",
        `--target=${recoveryTargetTime(target)}`,
        "--target-action=promote",
        along,
      ];
    default: {
      const unreachable: never = target;
      return unreachable;
    }
  }
}

/**
 * The relation files and blocks of `backup`'s warnings "invalid page checksums found in file
 * <path> at page(s) <list>" (pgBackRest 2.45, command/backup/backup.c), paths made relative to
 * the data directory: `base/16384/16385 at page(s) 0, 3-5`.
 */
export function pageChecksumWarnings(output: string, pgData: string): string[] {
  const found: string[] = [];
  for (const m of output.matchAll(
    /invalid page checksums? found in file (\S+) at page(?:\(s\)|s)? ([0-9][0-9, -]*[0-9]|[0-9])/g,
  )) {
    const file = m[1].startsWith(`${pgData}/`) ? m[1].slice(pgData.length + 1) : m[1];
    const text = `${file} at page(s) ${m[2].trim()}`;
    if (!found.includes(text)) found.push(text);
  }
  return found;
}

/**
 * The label `backup` gives the backup it wrote, from its info-level output ("new backup label =
 * 20261129-020000F", pgBackRest 2.45 command/backup/backup.c); undefined when it printed none.
 */
export function newBackupLabel(output: string): string | undefined {
  return /INFO: new backup label = (\S+)/.exec(output)?.[1];
}

/** `repo-ls --output=json` entries (pgBackRest 2.45): path → type, size, time (epoch seconds). */
type RepoListing = Record<string, { type: string; size?: number; time?: number }>;

const ARCHIVED_SEGMENT = /(?:^|\/)([0-9A-F]{24})-[0-9a-f]{40}(?:\.[a-z0-9]+)?$/;

/** The segments of a `repo-ls --recurse` listing of `archive/<stanza>`, in name order. */
export function archivedSegments(listing: RepoListing): ArchivedSegment[] {
  const segments: ArchivedSegment[] = [];
  for (const [path, entry] of Object.entries(listing)) {
    const m = ARCHIVED_SEGMENT.exec(path);
    if (entry.type !== "file" || !m) continue;
    segments.push({
      name: m[1],
      archivedAt: new Date((entry.time ?? 0) * 1000),
      bytes: entry.size ?? 0,
    });
  }
  return segments.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

interface InfoBackup {
  label: string;
  type: string;
  /** The backup a differential or incremental builds on; null for a full. */
  prior?: string | null;
  timestamp: { start: number; stop: number };
  archive: { start: string; stop: string };
  lsn?: { start: string; stop: string };
  info: { size: number; repository: { delta: number; size: number } };
  annotation?: Record<string, string>;
  database: { id: number; "repo-key": number };
  error?: boolean;
}

/** One stanza of `info --output=json` (pgBackRest 2.45), the parts read here. */
interface InfoStanza {
  backup?: InfoBackup[];
  /** Every cluster the stanza has held, per repository; the highest `id` is the current one. */
  db?: { id: number; "repo-key": number; "system-id": string }[];
  repo?: { key: number; cipher: string; status?: { code: number; message?: string } }[];
}

/** An info file read with another passphrase (or plain text read as cipher text), as `info` reports it. */
const CIPHER_STATUS =
  /CryptoError|is or was the repo encrypted|FormatError: key\/value found outside of section/;

/**
 * The engine's error as one line: `[code] message causes (its hints)`, plus what to do next.
 * `configFile`: the `--config` the command ran with, to tell a missing config from a missing repository.
 */
export function engineError(
  args: readonly string[],
  result: CommandResult,
  configFile?: string,
): JobError {
  const output = `${result.stderr}\n${result.stdout}`;
  const lines = output.split("\n");
  const at = lines.findIndex((line) => /ERROR: \[\d{3}\]: /.test(line));
  if (at < 0) {
    const tail = output.trim().split("\n").slice(-3).join(" | ") || "no output";
    return new JobError(`pgBackRest ${args[0] ?? ""} exited with code ${result.code}: ${tail}`);
  }
  const [, code, first] = /ERROR: \[(\d{3})\]: (.*)$/.exec(lines[at])!;
  // The message goes on in indented lines: the causes, then the engine's own hints.
  const rest = lines.slice(at + 1);
  const end = rest.findIndex((l) => !/^\s+\S/.test(l));
  const more = end < 0 ? rest : rest.slice(0, end);
  const causes = more.filter((l) => !l.includes("HINT:")).map((l) => l.trim());
  const engineHints = more
    .filter((l) => l.includes("HINT:"))
    .map((l) => l.replace(/^\s*HINT:\s*/, ""));
  const message = [first.trim(), ...causes].join(" ");
  return new JobError(
    `pgBackRest ${args.find((a) => !a.startsWith("--")) ?? ""} failed: [${code}] ${message}${engineHints.length ? ` (${engineHints.join(" ")})` : ""}`,
    CIPHER_ERROR.test(output)
      ? CIPHER_HINT
      : code === "055" && configFile !== undefined && message.includes(`'${configFile}'`)
        ? CONFIG_MISSING_HINT
        : args.includes("--backup-standby") && STANDBY_CODES.has(code)
          ? STANDBY_HINT
          : (HINTS[code] ??
            `run 'pgbackrest ${showArgv(args)}' as the engine's OS user and read its log`),
  );
}

/**
 * pgBackRest reads a repository's info files with the configured cipher and cannot change the
 * cipher or passphrase of an existing repository: the stanza must be new (user guide, "Configure
 * Repository Encryption"; `repo-cipher-pass` reference). A repository encrypted under another
 * passphrase, or written before encryption was turned on or after it was turned off, fails with
 * [095] and a CryptoError, or [029] when plain text meets a cipher. This says which it is and what to do.
 */
export function cipherMismatch(config: HostConfig, error: unknown): JobError | undefined {
  if (!(error instanceof JobError)) return undefined;
  if (!CIPHER_ERROR.test(error.message) && !/\[029\]/.test(error.message)) return undefined;
  const parameter = config.clientSideEncryption?.cipherPassParameter;
  const now = parameter
    ? `encrypted (${PGBACKREST_CIPHER_TYPE}) with the passphrase in SSM parameter ${parameter}`
    : "not encrypted (clientSideEncryption is off)";
  return new JobError(
    `this host's PostgreSQL repository cannot be opened with its cipher settings: the stack says ${now}, but the repository was created with another passphrase or another cipher setting, and pgBackRest cannot change either on an existing repository (the stanza must be new). pgBackRest said: ${error.message}`,
    [
      parameter
        ? `if the parameter's value changed, put the old one back (aws ssm get-parameter-history --name ${parameter} --with-decryption) and run the install document again`
        : "if clientSideEncryption was turned off by mistake, turn it back on",
      "to change the cipher for good: give this host a new hostId (a new, empty repository) or move its repository aside, keeping the old one readable with its old settings until its backups expire; nothing was changed",
    ].join("; "),
  );
}

export class PgBackRestAdapter extends EngineAdapterBase implements PostgresEngineAdapter {
  readonly descriptor = descriptor;
  protected readonly installHint =
    "run the install document: it installs the pgbackrest package (a supported version)";

  private async run(
    args: readonly string[],
    timeoutMs: number,
    stanza = true,
  ): Promise<CommandResult> {
    const { engine } = this.config.postgres;
    // repo-ls refuses a --stanza it has no use for.
    const full = [
      `--config=${engineConfigPath(engine)}`,
      ...(stanza ? [`--stanza=${stanzaOf(engine)}`] : []),
      ...args,
    ];
    const result = await runEngine(this.config, full, timeoutMs);
    if (result.code !== 0) throw engineError(args, result, engineConfigPath(engine));
    return result;
  }

  async setup(log?: Logger): Promise<string> {
    await prepareEngineDirectories(this.config);
    try {
      await whileStanzaLockHeld(() => this.run(["stanza-create"], 10 * 60_000), log);
    } catch (error) {
      throw cipherMismatch(this.config, error) ?? error;
    }
    return `repositories ready for stanza ${stanzaOf(this.config.postgres.engine)}`;
  }

  async check(): Promise<void> {
    await this.run(["check"], 10 * 60_000);
  }

  async backup(request: BackupRequest): Promise<EngineBackup> {
    const repo = REPO_INDEX[request.repository];
    const result = await this.run(
      [
        "backup",
        `--repo=${repo}`,
        `--type=${TYPE_ARG[request.kind]}`,
        `--start-fast=${request.startFast ? "y" : "n"}`,
        // At info level the backup prints its own label: the new backup is found by name in one
        // listing afterwards, instead of comparing a listing taken before with one taken after.
        "--log-level-console=info",
        ...(request.standby ? this.standbyArgs(request.standby) : []),
        ...Object.entries(request.annotations).map(([k, v]) => `--annotation=${k}=${v}`),
      ],
      12 * HOUR_MS,
    );
    const label = newBackupLabel(`${result.stdout}\n${result.stderr}`);
    const backup = label
      ? (await this.list(request.repository)).find((b) => b.name === label)
      : undefined;
    if (!backup)
      throw new JobError(
        label
          ? `pgBackRest reported success for backup ${label} but the ${request.repository} repository does not list it`
          : "pgBackRest reported success but did not print the new backup's label",
        "run 'pgbackrest info' and read the backup log",
      );
    const damage = pageChecksumWarnings(
      `${result.stdout}\n${result.stderr}`,
      request.standby?.pgData ?? this.config.postgres.pgData,
    );
    return damage.length > 0 ? { ...backup, ok: false, damage } : backup;
  }

  /**
   * The standby as pg2, for this one command: pgBackRest copies the replicated files from it and
   * only the rest (pg_control, config files) from pg1, the primary, which starts and stops the
   * backup (configuration reference, `backup-standby`). Kept off the config file, so archive-push,
   * check and a backup from the primary never depend on the standby being up.
   */
  private standbyArgs(standby: StandbyCluster): string[] {
    return [
      "--backup-standby",
      `--pg2-path=${standby.pgData}`,
      `--pg2-port=${standby.port}`,
      `--pg2-socket-path=${standby.socketDir}`,
      `--pg2-user=${this.config.postgres.connection.user}`,
    ];
  }

  /**
   * Options that point repo1 at another host's S3 path; none for this host. Another host's local
   * repository is on that host, not here: refused.
   */
  private sourceArgs(source: RepositorySource): string[] {
    if (source.host === this.hostId && !source.bucket)
      return [`--repo=${REPO_INDEX[source.repository]}`];
    if (source.repository !== "s3")
      throw new JobError(
        source.bucket
          ? "the replica holds S3 repositories only; a local repository is on its host"
          : `host ${source.host}'s local repository is on that host, not on ${this.hostId}`,
      );
    return [
      "--repo=1",
      `--repo1-path=/${s3RepositoryPath(this.config, source.host)}`,
      ...(source.bucket ? otherBucketOptions(this.config.postgres.engine, source.bucket) : []),
    ];
  }

  /** `info --output=json` with `args`, system identifiers kept as text (64-bit). */
  private async info(args: readonly string[]): Promise<InfoStanza[]> {
    const { stdout } = await this.run(["info", "--output=json", ...args], 10 * 60_000);
    let stanzas: InfoStanza[];
    try {
      // An info file read with the wrong passphrase is quoted raw in a status message: its control
      // characters are exactly what must go before JSON can be parsed.
      stanzas = JSON.parse(
        stdout
          // eslint-disable-next-line no-control-regex
          .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, "?")
          .replace(/"system-id":(\d+)/g, '"system-id":"$1"'),
      ) as InfoStanza[];
    } catch {
      throw new JobError("pgBackRest info --output=json printed something that is not JSON");
    }
    // A repository it cannot decrypt is a status, not an error, for `info`: never "no backups".
    const unreadable = (stanzas[0]?.repo ?? []).find((r) =>
      CIPHER_STATUS.test(r.status?.message ?? ""),
    );
    if (unreadable) {
      throw new JobError(
        `pgBackRest cannot read repository ${unreadable.key} (${unreadable.key === REPO_INDEX.local ? "local" : "s3"}, cipher ${unreadable.cipher}) with the passphrase in its config: ${(unreadable.status?.message ?? "").split("\n")[0]}`,
        CIPHER_HINT,
      );
    }
    return stanzas;
  }

  async list(
    repository?: Repository,
    host: string = this.hostId,
    bucket?: OtherBucket,
  ): Promise<EngineBackup[]> {
    const stanzas = await this.info(
      host !== this.hostId || bucket
        ? this.sourceArgs({ repository: repository ?? "s3", host, ...(bucket ? { bucket } : {}) })
        : repository
          ? [`--repo=${REPO_INDEX[repository]}`]
          : [],
    );
    const backups = stanzas[0]?.backup ?? [];
    return backups
      .map((b): EngineBackup => ({
        name: b.label,
        kind: KIND_OF[b.type] ?? "full",
        ...(b.prior ? { prior: b.prior } : {}),
        repository: b.database["repo-key"] === 2 ? "local" : "s3",
        startedAt: new Date(b.timestamp.start * 1000),
        stoppedAt: new Date(b.timestamp.stop * 1000),
        walStart: b.archive.start,
        walStop: b.archive.stop,
        ...(b.lsn?.stop ? { stopLsn: b.lsn.stop } : {}),
        databaseBytes: b.info.size,
        storedBytes: b.info.repository.delta,
        annotations: b.annotation ?? {},
        ok: b.error !== true,
      }))
      .sort((a, b) => a.stoppedAt.getTime() - b.stoppedAt.getTime());
  }

  async verify(repository: Repository): Promise<VerifyReport> {
    const segmentBytes = await this.walSegmentBytes();
    const backups = await this.list(repository);
    // Sizes come from the listing: an empty file is named as such whatever verify makes of it.
    const files = await this.repositoryFiles(repository);
    const empty = files.filter((f) => f.size === 0).map((f) => f.path);
    let output: VerifyOutput;
    let aborted = false;
    try {
      const result = await this.run(
        [
          "verify",
          `--repo=${REPO_INDEX[repository]}`,
          "--log-level-console=detail",
          "--output=text",
          "--verbose",
        ],
        12 * HOUR_MS,
      );
      output = parseVerifyOutput(result.stdout);
    } catch (error) {
      // 2.45's verify aborts on some damage (an empty compressed segment: "[029] unexpected eof")
      // without naming the file: name what the listing can, and keep the engine's words.
      if (empty.length === 0) throw error;
      aborted = true;
      output = {
        statusOk: false,
        problems: [],
        walRanges: rangesOf(
          files
            .filter((f) => f.path.startsWith("archive/"))
            .map((f) => ARCHIVED_SEGMENT.exec(f.path)?.[1] ?? ""),
          segmentBytes,
        ),
        backups: [],
        walSummaries: [{ line: `verify stopped: ${(error as Error).message}`, bad: true }],
      };
    }
    const found = verifyProblems(
      output,
      backups.map((b) => b.name),
      segmentBytes,
    );
    // An empty file replaces verify's own line about it (which names it relative to its folder).
    const problems: VerifyProblem[] = [
      ...empty.map((path) => ({
        subject: path,
        message: `${path} is empty (a push or upload that left nothing)`,
      })),
      ...found.problems.filter(
        (p) => p.subject === "verify" || !empty.some((path) => path.endsWith(`/${p.subject}`)),
      ),
    ].filter((p) => aborted || !(p.subject === "verify" && empty.length > 0));
    for (const b of backups)
      if (!b.ok && !problems.some((p) => p.subject === b.name))
        problems.push({ subject: b.name, message: damagedBackupMessage(b) });
    const walRanges = withoutSegments(
      found.walRanges,
      empty.map((path) => ARCHIVED_SEGMENT.exec(path)?.[1] ?? ""),
      segmentBytes,
    );
    problems.push(...walProblems(backups, walRanges, segmentBytes));
    const oldest = backups[0];
    const newestWal = newestOnTimeline(walRanges, oldest?.walStart);
    return {
      repository,
      ok: problems.length === 0,
      problems,
      walRanges,
      walGaps:
        oldest && newestWal ? gapsBetween(walRanges, oldest.walStart, newestWal, segmentBytes) : [],
      backupsChecked: backups.length,
    };
  }

  /** Every file of a repository with its size, paths relative to the repository (`archive/…`). */
  private async repositoryFiles(repository: Repository): Promise<{ path: string; size: number }[]> {
    const { stdout } = await this.run(
      ["repo-ls", "--recurse", "--output=json", `--repo=${REPO_INDEX[repository]}`],
      30 * 60_000,
    );
    const entries = JSON.parse(stdout) as Record<string, { type: string; size?: number }>;
    return Object.entries(entries)
      .filter(([, e]) => e.type === "file")
      .map(([path, e]) => ({ path, size: e.size ?? 0 }))
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  /**
   * Refuses, before anything is written, when a repository's current cluster (the highest `db`
   * entry `info` lists for it) has another system identifier than this host's (pg_control).
   * `archive-push`, `backup`, `check` and `stanza-create` compare it themselves ([044], [028],
   * [051]); `expire` never connects to PostgreSQL and would rewrite another cluster's repository.
   */
  private async requireSameCluster(refused: string): Promise<void> {
    const { systemIdentifier } = await readControlData(this.config);
    const dbs = (await this.info([]))[0]?.db ?? [];
    for (const repository of REPOSITORIES) {
      const current = dbs
        .filter((d) => d["repo-key"] === REPO_INDEX[repository])
        .sort((a, b) => a.id - b.id)
        .at(-1);
      if (current && current["system-id"] !== systemIdentifier)
        throw anotherClusterError(repository, current["system-id"], systemIdentifier, refused);
    }
  }

  async expire(options: { readonly dryRun?: boolean } = {}): Promise<string[]> {
    await this.requireSameCluster(
      options.dryRun ? "nothing was listed for expiry" : "nothing was expired",
    );
    const { stdout } = await this.run(
      ["expire", ...(options.dryRun ? ["--dry-run", "--log-level-console=info"] : [])],
      4 * HOUR_MS,
    );
    // With --dry-run every line it would act on starts "[DRY-RUN]".
    return stdout
      .split("\n")
      .map((line) => line.replace(/^.*?INFO: /, "").trim())
      .filter((line) => line.startsWith("[DRY-RUN]"));
  }

  private async archiveListing(source: RepositorySource): Promise<RepoListing> {
    const { stdout } = await this.run(
      [
        "repo-ls",
        ...this.sourceArgs(source),
        "--recurse",
        "--output=json",
        `archive/${stanzaOf(this.config.postgres.engine)}`,
      ],
      10 * 60_000,
      false,
    );
    try {
      return JSON.parse(stdout) as RepoListing;
    } catch {
      throw new JobError("pgBackRest repo-ls --output=json printed something that is not JSON");
    }
  }

  async archivedWal(source: RepositorySource): Promise<ArchivedSegment[]> {
    return archivedSegments(await this.archiveListing(source));
  }

  async backupDataPresent(source: RepositorySource, name: string): Promise<boolean> {
    const folder = `backup/${stanzaOf(this.config.postgres.engine)}/${name}`;
    const { stdout } = await this.run(
      ["repo-ls", ...this.sourceArgs(source), "--recurse", "--output=json", folder],
      10 * 60_000,
      false,
    );
    let listing: RepoListing;
    try {
      listing = JSON.parse(stdout) as RepoListing;
    } catch {
      throw new JobError("pgBackRest repo-ls --output=json printed something that is not JSON");
    }
    return Object.entries(listing).some(
      ([path, entry]) =>
        entry.type === "file" && isBackupDataKey(descriptor, `${folder}/${path}`, name),
    );
  }

  async timelines(source: RepositorySource): Promise<TimelineHistory[]> {
    return this.timelinesIn(source, await this.archiveListing(source));
  }

  async walArchive(
    source: RepositorySource,
  ): Promise<{ segments: ArchivedSegment[]; timelines: TimelineHistory[] }> {
    const listing = await this.archiveListing(source);
    return {
      segments: archivedSegments(listing),
      timelines: await this.timelinesIn(source, listing),
    };
  }

  /** The timelines of `listing`, `source`'s archive, with their history files read from there. */
  private async timelinesIn(
    source: RepositorySource,
    listing: RepoListing,
  ): Promise<TimelineHistory[]> {
    const histories = Object.entries(listing)
      .map(([path, entry]) => ({ m: /^([^/]+)\/([0-9A-F]{8})\.history$/.exec(path), entry }))
      .filter((h): h is { m: RegExpExecArray; entry: RepoListing[string] } => h.m !== null);
    return collectTimelines(
      histories.map((h) => ({
        timeline: parseInt(h.m[2], 16),
        archivedAt: new Date((h.entry.time ?? 0) * 1000),
      })),
      archivedSegments(listing).map((s) => s.name),
      async (timeline) => {
        const h = histories.find((x) => parseInt(x.m[2], 16) === timeline)!;
        // History files are stored as PostgreSQL wrote them (not compressed).
        const { stdout } = await this.run(
          [
            "repo-get",
            ...this.sourceArgs(source),
            `archive/${stanzaOf(this.config.postgres.engine)}/${h.m[1]}/${h.m[2]}.history`,
          ],
          10 * 60_000,
          false,
        );
        return stdout;
      },
    );
  }

  /**
   * archive-push with `archive-async` leaves `<spool-path>/archive/<stanza>/out/<segment>.error`
   * for a segment it could not push: the error code on the first line, the message after it
   * (pgBackRest 2.45 src/command/archive/common.c, archiveAsyncStatusErrorWrite); the foreground
   * command reports it to PostgreSQL from there.
   */
  async archivePushError(segment: string): Promise<string | undefined> {
    const { engine } = this.config.postgres;
    const file = join(engine.spoolDir, "archive", stanzaOf(engine), "out", `${segment}.error`);
    const read = async () => {
      const found = await readFile(file, "utf8").catch(() => undefined);
      return found?.trim() ? found : undefined;
    };
    // The async archive-push rewrites its error file at each try: between PostgreSQL's next call
    // (which takes the file as reported) and the async process's next failure it is briefly absent.
    const text = await waitFor(read, {
      timeoutMs: ARCHIVE_ERROR_WAIT_MS,
      intervalMs: 250,
      onTimeout: () => new Error("no error file"),
    }).catch(() => undefined);
    if (!text) return undefined;
    const [code, ...message] = text.trim().split("\n");
    return `[${code.trim()}] ${message.join(" ").replace(/\s+/g, " ").trim()}`;
  }

  async restore(request: RestoreRequest): Promise<void> {
    const { engine } = this.config.postgres;
    const own = request.source.host === this.hostId;
    // Own S3 repository: archive-get may fall back to the local one (same cluster, same WAL) when
    // S3 fails mid-recovery. Local: S3 is presumed down, so it is not tried for every segment.
    // Another host's: only its S3 repository, read at its path.
    const commandSource =
      own && request.source.repository === "s3" && !request.source.bucket
        ? undefined
        : {
            repository: request.source.repository,
            s3RepositoryPath: s3RepositoryPath(this.config, request.source.host),
            ...(request.source.bucket ? { bucket: request.source.bucket } : {}),
          };
    const scratch = request.scratchRoot;
    const spoolDir = scratch ? join(scratch, "spool") : join(engine.spoolDir, "restore");
    const lockDir = scratch ? join(scratch, "lock") : join(engine.lockDir, "restore");
    await ownedDirectories(engine.osUser, [spoolDir, lockDir]);
    await forgetUnreadableRepositories(spoolDir);
    const restoreCommand = descriptor.restoreCommand(engine, {
      ...(commandSource ? { source: commandSource } : {}),
      ...(request.pgData !== this.config.postgres.pgData ? { pgData: request.pgData } : {}),
      spoolDir,
      lockDir,
      ...(request.archiveEnd ? { archiveEnd: request.archiveEnd } : {}),
    });
    await this.run(
      [
        "restore",
        ...this.sourceArgs(request.source),
        `--set=${request.backup}`,
        ...targetArgs(request.target, request.timeline),
        `--pg1-path=${request.pgData}`,
        `--recovery-option=restore_command=${restoreCommand}`,
        ...(request.delta ? ["--delta"] : []),
        ...(request.archiveOff ? ["--archive-mode=off"] : []),
        ...(scratch ? [`--tablespace-map-all=${join(scratch, "tablespaces")}`] : []),
      ],
      12 * HOUR_MS,
    );
    await removeStandbySignal(request.pgData);
  }
}

/** What pgBackRest 2.45's `verify --log-level-console=detail --output=text --verbose` printed. */
export interface VerifyOutput {
  /** `status: ok` (false for `status: error`). */
  readonly statusOk: boolean;
  /** Files it named: an invalid checksum or size, a missing file, a file it could not read. */
  readonly problems: VerifyProblem[];
  /** WAL ranges as the repository's listing has them (damaged segments not yet taken out). */
  readonly walRanges: WalRange[];
  /** Every backup directory it looked at and its status (`valid`, `invalid`, `manifest missing`, …). */
  readonly backups: { readonly label: string; readonly status: string }[];
  /** Archive ids whose count of valid WAL is below the count checked, with the summary line. */
  readonly walSummaries: { readonly line: string; readonly bad: boolean }[];
}

/** Reads `verify --log-level-console=detail --output=text --verbose` output (pgBackRest 2.45). */
export function parseVerifyOutput(stdout: string): VerifyOutput {
  const problems: VerifyProblem[] = [];
  const walRanges: WalRange[] = [];
  const backups: { label: string; status: string }[] = [];
  const walSummaries: { line: string; bad: boolean }[] = [];
  let statusOk = true;
  const lines = stdout.split("\n");
  for (const [i, line] of lines.entries()) {
    const range = /wal start: ([0-9A-F]{24}), wal stop: ([0-9A-F]{24})/.exec(line);
    if (range) {
      walRanges.push({ start: range[1], stop: range[2] });
      continue;
    }
    const file = /INFO: ((?:invalid|missing|file missing)[^']*)'([^']+)'/.exec(line);
    if (file) {
      problems.push({ subject: file[2], message: `${file[1].trim()} ${file[2]}` });
      continue;
    }
    // A file it could not read at all (empty, cut short, not decryptable): verify names it here
    // and nowhere else, with the error on this line and its retries on the indented ones after.
    const unreadable = /INFO: invalid result (\S+): (.*)$/.exec(line);
    if (unreadable) {
      problems.push({
        subject: unreadable[1],
        message: `${unreadable[1]} cannot be read: ${unreadable[2].trim()}`,
      });
      continue;
    }
    const summary = /archiveId: (\S+), total WAL checked: (\d+), total valid WAL: (\d+)/.exec(line);
    if (summary) {
      const counts = /^\s*missing: .*$/.exec(lines[i + 1] ?? "")?.[0].trim();
      const text = `${line.trim().replace(/^.*INFO: /, "")}${counts ? ` (${counts})` : ""}`;
      if (!walSummaries.some((s) => s.line === text))
        walSummaries.push({ line: text, bad: summary[2] !== summary[3] });
      continue;
    }
    const backup = /backup: (\S+), status: ([^,]+),/.exec(line);
    if (backup) {
      const label = backup[1].replace(/,$/, "");
      if (!backups.some((b) => b.label === label)) backups.push({ label, status: backup[2] });
      continue;
    }
    if (/^\s*(?:\S.*INFO: )?status: error/.test(line) || /^status: error/.test(line.trim()))
      statusOk = false;
  }
  return { statusOk, problems, walRanges, backups, walSummaries };
}

/**
 * What `verify`'s output means for the backups `info` lists: every file it named; every listed
 * backup it did not find valid; and, when it says `status: error` for anything else than a backup
 * `info` no longer lists (expire removed it from `backup.info`; where the bucket keeps deleted
 * objects, its directory stays and verify reports "manifest missing"), its own summary lines.
 * The WAL ranges come back without the segments it could not read or check.
 */
export function verifyProblems(
  output: VerifyOutput,
  listed: readonly string[],
  segmentBytes: number,
): { problems: VerifyProblem[]; walRanges: WalRange[] } {
  const problems = [...output.problems];
  for (const b of output.backups) {
    if (b.status === "valid" || !listed.includes(b.label)) continue;
    if (problems.some((p) => p.subject === b.label)) continue;
    problems.push({ subject: b.label, message: `backup ${b.label} is ${b.status}` });
  }
  const expiredOnly =
    output.backups.some((b) => b.status !== "valid" && !listed.includes(b.label)) &&
    !output.walSummaries.some((s) => s.bad);
  if (!output.statusOk && problems.length === 0 && !expiredOnly)
    problems.push({
      subject: "verify",
      message: `pgBackRest verify reported status: error without naming a file: ${
        [
          ...output.walSummaries.map((s) => s.line),
          ...output.backups
            .filter((b) => b.status !== "valid")
            .map((b) => `backup ${b.label}: ${b.status}`),
        ].join("; ") || "no summary printed"
      }`,
    });
  const damaged = problems
    .map((p) => ARCHIVED_SEGMENT.exec(p.subject)?.[1])
    .filter((s): s is string => s !== undefined);
  return { problems, walRanges: withoutSegments(output.walRanges, damaged, segmentBytes) };
}
