/**
 * The wal-g adapter (descriptor: infra/catalog/engines/walg.ts). wal-g reads one storage per config:
 * the S3 repository is `engine.configFile` (another host's S3 folder: the same file with
 * `WALG_STORAGE_PREFIX` overridden), the local repository its companion file. Listings come from
 * `backup-list --detail --json` and `st ls`; nothing is read from a human table.
 *
 * What wal-g itself does not guard, this adapter does:
 * - it pushes a backup or WAL of any cluster into any repository, and deletes from any: `setup`,
 *   `check`, `backup` and `expire` compare PostgreSQL's system identifier with the one the
 *   repository's backups record, and refuse; `setup` records it for archive_command's guard, which
 *   refuses a segment of any other cluster before `wal-push` runs;
 * - it keeps a backup whose pages failed their checksums (`--verify` only logs them): the adapter
 *   stores a damage note beside the backup, and `list` reports that backup as not ok;
 * - it overwrites a same-named WAL segment by default: the rendered config sets
 *   `WALG_PREVENT_WAL_OVERWRITE` (a different segment under a known name is refused).
 * Facts from wal-g v3.0.x (cmd/pg, internal/databases/postgres) and its PostgreSQL documentation.
 */
import { existsSync } from "node:fs";
import { appendFile, chown, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { OtherBucket } from "../../../infra/catalog/engines/descriptor";
import {
  engineConfigPath,
  isBackupDataKey,
  POSTGRES_ENGINES,
} from "../../../infra/catalog/engines";
import { engineRetentionDays } from "../../../infra/catalog/stackDefaults";
import {
  archiveGuardFile,
  archivePushErrorFile,
  localConfigFile,
} from "../../../infra/catalog/engines/walg";
import { writeFileAtomic } from "../files/atomicFile";
import { readControlData } from "../postgres/controlData";
import { account } from "../job/accounts";
import { JobError } from "../job/errors";
import type { CommandResult } from "../job/exec";
import { connectPostgres } from "../postgres/connection";
import { damagedBackupMessage } from "../postgres/damagedBackups";
import { recoveryTargetTime } from "../postgres/targetTime";
import { deadlineIn, sleep } from "../job/time";
import { gapsBetween, rangesOf, segmentBefore } from "../postgres/walSegments";
import {
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
import { EngineAdapterBase } from "./adapterBase";
import {
  forgetUnreadableRepositories,
  localRepositoryPath,
  ownedDirectories,
  prepareEngineDirectories,
  runEngine,
  s3RepositoryPath,
} from "./engineProcess";
import { removeStandbySignal } from "../postgres/standbySignal";
import { collectTimelines, newestOnTimeline, walProblems } from "./walHistory";
import {
  HISTORY_OBJECT,
  parseBackupList,
  parseStorageListing,
  SEGMENT_OBJECT,
  lsnText,
  walgError,
  type ListedBackup,
  type StoredObject,
} from "./walgOutput";

const descriptor = POSTGRES_ENGINES["wal-g"];
const HOUR_MS = 3_600_000;
const BACKUPS = descriptor.s3Layout.backups;
const WAL = descriptor.s3Layout.wal;
/** The note the adapter stores beside a backup that read damaged pages (wal-g ignores it). */
const DAMAGE_SUFFIX = "_stellar_damage.json";

interface RunOptions {
  readonly discardStdout?: boolean;
  /** Variables over the repository's own (wal-g reads its settings from the environment first). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The WAL segments among a repository's archived objects, in name order. */
function segmentsIn(objects: readonly StoredObject[]): ArchivedSegment[] {
  return objects
    .map((o) => ({ o, m: SEGMENT_OBJECT.exec(o.name) }))
    .filter((x): x is { o: StoredObject; m: RegExpExecArray } => x.m !== null)
    .map(({ o, m }) => ({ name: m[1], archivedAt: o.modified, bytes: o.bytes }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export class WalgAdapter extends EngineAdapterBase implements PostgresEngineAdapter {
  readonly descriptor = descriptor;
  protected readonly installHint =
    "give the stack walgArtifact (the wal-g release binary and its SHA-256) and run the install document, or install that binary by hand (docs/engines.md#wal-g-postgresengine-wal-g)";

  /** `--config` and environment for one repository: this host's or another host's S3 folder. */
  private target(source: RepositorySource): { args: string[]; env?: Record<string, string> } {
    const { engine } = this.config.postgres;
    if (source.bucket) refuseReplica();
    if (source.repository === "local") {
      if (source.host !== this.hostId)
        throw new JobError(
          `host ${source.host}'s local repository is on that host, not on ${this.hostId}`,
        );
      return { args: ["--config", localConfigFile(engineConfigPath(engine))] };
    }
    return {
      args: ["--config", engineConfigPath(engine)],
      ...(source.host !== this.hostId
        ? { env: { WALG_STORAGE_PREFIX: s3RepositoryPath(this.config, source.host) } }
        : {}),
    };
  }

  private async run(
    source: RepositorySource,
    args: readonly string[],
    timeoutMs: number,
    options: RunOptions = {},
  ): Promise<CommandResult> {
    const result = await this.runUnchecked(source, args, timeoutMs, options);
    if (result.code !== 0) throw walgError(args, result);
    return result;
  }

  private runUnchecked(
    source: RepositorySource,
    args: readonly string[],
    timeoutMs: number,
    options: RunOptions = {},
  ): Promise<CommandResult> {
    const t = this.target(source);
    const env = { ...t.env, ...options.env };
    return runEngine(this.config, [...t.args, ...args], timeoutMs, {
      ...(Object.keys(env).length > 0 ? { env } : {}),
      ...(options.discardStdout ? { discardStdout: true } : {}),
    });
  }

  private own(repository: Repository): RepositorySource {
    return { repository, host: this.hostId };
  }

  /** Objects directly in `folder` (`basebackups_005/`, `wal_005/`); [] when it does not exist yet. */
  private async objects(source: RepositorySource, folder: string): Promise<StoredObject[]> {
    if (source.repository === "local" && !existsSync(join(this.localRoot(), folder))) return [];
    const { stdout } = await this.run(source, ["st", "ls", folder], 10 * 60_000);
    return parseStorageListing(stdout);
  }

  private localRoot(): string {
    return localRepositoryPath(this.config);
  }

  private async listed(source: RepositorySource): Promise<ListedBackup[]> {
    if (source.repository === "local" && !existsSync(join(this.localRoot(), BACKUPS))) return [];
    const { stdout } = await this.run(source, ["backup-list", "--detail", "--json"], 10 * 60_000);
    return parseBackupList(stdout);
  }

  async list(
    repository?: Repository,
    host: string = this.hostId,
    bucket?: OtherBucket,
  ): Promise<EngineBackup[]> {
    if (bucket) refuseReplica();
    const repositories: Repository[] = repository ? [repository] : ["s3", "local"];
    const all: EngineBackup[] = [];
    const segmentBytes = await this.walSegmentBytes();
    for (const r of repositories) {
      const source = { repository: r, host };
      const listed = await this.listed(source);
      if (listed.length === 0) continue;
      const damaged = new Set(
        (await this.objects(source, BACKUPS))
          .filter((o) => o.name.endsWith(DAMAGE_SUFFIX))
          .map((o) => o.name.slice(0, -DAMAGE_SUFFIX.length)),
      );
      for (const b of listed) {
        const stoppedAt = new Date(b.finish_time);
        if (Number.isNaN(stoppedAt.getTime())) continue;
        const timeline = b.wal_file_name.slice(0, 8);
        const startSegment = segmentBefore(timeline, BigInt(b.start_lsn) + 1n, segmentBytes);
        if (startSegment !== b.wal_file_name)
          throw new JobError(
            `backup ${b.backup_name} starts at LSN ${lsnText(b.start_lsn)}, which is WAL segment ${startSegment} with this cluster's wal_segment_size of ${segmentBytes} bytes, but wal-g names ${b.wal_file_name}: the repository's cluster has another wal_segment_size`,
            "restore it onto a host whose cluster was initialised with the same --wal-segsize",
          );
        all.push({
          name: b.backup_name,
          kind: "full",
          repository: r,
          startedAt: new Date(b.start_time),
          stoppedAt,
          walStart: b.wal_file_name,
          walStop: segmentBefore(timeline, BigInt(b.finish_lsn), segmentBytes),
          stopLsn: lsnText(b.finish_lsn),
          databaseBytes: Number(b.uncompressed_size ?? 0),
          storedBytes: Number(b.compressed_size ?? 0),
          annotations: Object.fromEntries(
            Object.entries(b.user_data ?? {}).map(([k, v]) => [k, String(v)]),
          ),
          ok: !damaged.has(b.backup_name),
        });
      }
    }
    return withDeltaChains(all).sort((a, b) => a.stoppedAt.getTime() - b.stoppedAt.getTime());
  }

  /** PostgreSQL's system identifier; undefined when PostgreSQL cannot be reached. */
  private async clusterSystemId(): Promise<string | undefined> {
    let client;
    try {
      client = await connectPostgres(this.config);
    } catch {
      return undefined;
    }
    try {
      const { rows } = await client.query<{ id: string }>(
        "SELECT system_identifier::text AS id FROM pg_control_system()",
      );
      return rows[0].id;
    } finally {
      await client.end();
    }
  }

  /**
   * Refuses a repository whose backups record another cluster's system identifier than this
   * host's (pg_control, read whether PostgreSQL runs or not): wal-g itself never compares them, and
   * would push into, or delete from, another cluster's repository. `refused`: what was not done.
   * Resolves with this host's system identifier.
   */
  private async requireSameCluster(
    repositories: readonly Repository[],
    refused: string,
  ): Promise<string> {
    const { systemIdentifier } = await readControlData(this.config);
    for (const repository of repositories) {
      const other = (await this.listed(this.own(repository))).find(
        (b) =>
          b.system_identifier !== undefined && String(b.system_identifier) !== systemIdentifier,
      );
      if (other)
        throw anotherClusterError(
          repository,
          `${String(other.system_identifier)} (backup ${other.backup_name})`,
          systemIdentifier,
          refused,
        );
    }
    return systemIdentifier;
  }

  /**
   * Checks both repositories, then records this cluster's system identifier where archive_command's
   * guard reads it (descriptor `archiveGuardFile`): from then on only this cluster's segments are
   * pushed. A refused setup leaves the record as it was, so another cluster's WAL stays out.
   */
  async setup(): Promise<string> {
    await prepareEngineDirectories(this.config);
    // Reaching the storage proves the config and credentials; wal-g creates folders on write.
    const systemIdentifier = await this.requireSameCluster(
      REPOSITORIES,
      "wal-g would mix the two clusters' WAL, so archiving stays refused",
    );
    const { engine } = this.config.postgres;
    const owner = account(engine.osUser);
    await writeFileAtomic(archiveGuardFile(engine), `${systemIdentifier}\n`, {
      mode: 0o644,
      uid: owner.uid,
      gid: owner.gid,
    });
    return `repositories ready for the cluster with system identifier ${systemIdentifier}`;
  }

  async check(): Promise<void> {
    if (!(await this.clusterSystemId()))
      throw new JobError("cannot connect to PostgreSQL to archive a test segment", undefined);
    await this.requireSameCluster(
      REPOSITORIES,
      "wal-g would mix the two clusters' WAL, so nothing was pushed",
    );
    const client = await connectPostgres(this.config);
    let segment: string;
    try {
      // A record first, so the switch always closes a segment (an idle one would not switch).
      await client.query(
        "SELECT pg_logical_emit_message(false, 'stellar-insights-backup', 'check')",
      );
      const { rows } = await client.query<{ wal: string }>(
        "SELECT pg_walfile_name(pg_switch_wal()) AS wal",
      );
      segment = rows[0].wal;
    } finally {
      await client.end();
    }
    const deadline = deadlineIn(this.config.postgres.archiveTimeoutSeconds * 1000);
    const missing = new Set<Repository>(["s3", "local"]);
    for (;;) {
      for (const repository of [...missing]) {
        const held = await this.archivedWal(this.own(repository));
        if (held.some((s) => s.name >= segment && s.name.slice(0, 8) === segment.slice(0, 8)))
          missing.delete(repository);
      }
      if (missing.size === 0) return;
      if (deadline.passed())
        throw new JobError(
          `WAL segment ${segment} was not archived into the ${[...missing].join(" and ")} repository within ${this.config.postgres.archiveTimeoutSeconds} s`,
          "check archive_command, pg_stat_archiver (last_failed_wal) and PostgreSQL's log for wal-push errors, and S3 reachability from this host",
        );
      await sleep(1000);
    }
  }

  async backup(request: BackupRequest): Promise<EngineBackup> {
    const source = this.own(request.repository);
    if (!(await this.clusterSystemId()))
      throw new JobError("cannot connect to PostgreSQL to back it up");
    await this.requireSameCluster(
      [request.repository],
      "wal-g would mix the two clusters' WAL, so nothing was pushed",
    );
    const before = await this.list(request.repository);
    const { standby } = request;
    const args = [
      "backup-push",
      standby?.pgData ?? this.config.postgres.pgData,
      ...(await this.kindArgs(request.kind, before)),
      "--verify",
      "--add-user-data",
      JSON.stringify(request.annotations),
    ];
    // wal-g always asks PostgreSQL for a fast checkpoint (pg_backup_start(label, true)):
    // request.startFast cannot spread it out.
    const result = await this.run(source, args, 12 * HOUR_MS, {
      // From a standby, wal-g backs up the replica it is connected to: its data directory, and its
      // own pg_backup_start/stop (PostgreSQL allows both in recovery).
      ...(standby
        ? {
            env: {
              PGDATA: standby.pgData,
              PGHOST: standby.socketDir,
              PGPORT: String(standby.port),
            },
          }
        : {}),
    });
    const known = new Set(before.map((b) => b.name));
    let backup = (await this.list(request.repository)).filter((b) => !known.has(b.name)).at(-1);
    if (!backup)
      throw new JobError(
        `wal-g reported success but no new backup is listed in the ${request.repository} repository`,
        "run 'wal-g backup-list --detail' with the engine's config and read the backup's output",
      );
    const damage = [
      ...`${result.stderr}\n${result.stdout}`.matchAll(/Corruption found in (\S+?)\/?\[(\d+)\]/g),
    ].map((m) => ({ file: m[1], block: Number(m[2]) }));
    if (damage.length > 0) {
      await this.storeDamageNote(source, backup.name, damage);
      backup = {
        ...backup,
        ok: false,
        damage: damage.map((d) => `${d.file} at page(s) ${d.block}`),
      };
    }
    return backup;
  }

  /** `--full`, or a delta: from the newest backup (incremental) or the newest full (differential). */
  private async kindArgs(kind: BackupKind, before: readonly EngineBackup[]): Promise<string[]> {
    switch (kind) {
      case "full":
        return ["--full"];
      case "incremental":
        return before.length > 0 ? [] : ["--full"];
      case "differential": {
        const full = before.filter((b) => b.kind === "full").at(-1);
        return full ? ["--delta-from-name", full.name] : ["--full"];
      }
      default: {
        const unreachable: never = kind;
        return unreachable;
      }
    }
  }

  /** Stores `<backup>_stellar_damage.json` beside the backup's sentinel: the backup is kept, not trusted. */
  private async storeDamageNote(
    source: RepositorySource,
    name: string,
    damage: readonly { file: string; block: number }[],
  ): Promise<void> {
    const { engine } = this.config.postgres;
    const owner = account(engine.osUser);
    const dir = await mkdtemp(join(engine.spoolDir, "damage-"));
    try {
      await chown(dir, owner.uid, owner.gid);
      const file = join(dir, "note.json");
      await writeFile(file, `${JSON.stringify({ backup: name, damagedPages: damage })}\n`);
      await chown(file, owner.uid, owner.gid);
      await this.run(
        source,
        ["st", "put", "--no-compress", "--no-encrypt", file, `${BACKUPS}${name}${DAMAGE_SUFFIX}`],
        10 * 60_000,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Every archived WAL object, with its segment name (or history timeline) parsed. */
  private async walObjects(source: RepositorySource): Promise<StoredObject[]> {
    return this.objects(source, WAL);
  }

  async archivedWal(source: RepositorySource): Promise<ArchivedSegment[]> {
    return segmentsIn(await this.walObjects(source));
  }

  async walArchive(
    source: RepositorySource,
  ): Promise<{ segments: ArchivedSegment[]; timelines: TimelineHistory[] }> {
    const objects = await this.walObjects(source);
    return { segments: segmentsIn(objects), timelines: await this.timelinesIn(source, objects) };
  }

  async backupDataPresent(source: RepositorySource, name: string): Promise<boolean> {
    if (source.bucket) refuseReplica();
    const folder = `${BACKUPS}${name}/tar_partitions/`;
    return (await this.objects(source, folder)).some((o) =>
      isBackupDataKey(descriptor, `${folder}${o.name}`, name),
    );
  }

  async timelines(source: RepositorySource): Promise<TimelineHistory[]> {
    return this.timelinesIn(source, await this.walObjects(source));
  }

  /** The timelines among `objects`, `source`'s archive, with their history files read from there. */
  private async timelinesIn(
    source: RepositorySource,
    objects: readonly StoredObject[],
  ): Promise<TimelineHistory[]> {
    const histories = objects
      .map((o) => ({ o, m: HISTORY_OBJECT.exec(o.name) }))
      .filter((x): x is { o: StoredObject; m: RegExpExecArray } => x.m !== null);
    return collectTimelines(
      histories.map((h) => ({ timeline: parseInt(h.m[1], 16), archivedAt: h.o.modified })),
      objects
        .map((o) => SEGMENT_OBJECT.exec(o.name)?.[1])
        .filter((n): n is string => n !== undefined),
      async (timeline) => {
        const h = histories.find((x) => parseInt(x.m[1], 16) === timeline)!;
        const { stdout } = await this.run(
          source,
          ["st", "cat", "--decompress", "--decrypt", `${WAL}${h.o.name}`],
          10 * 60_000,
        );
        return stdout;
      },
    );
  }

  async verify(repository: Repository): Promise<VerifyReport> {
    const source = this.own(repository);
    const backups = await this.list(repository);
    const problems: VerifyProblem[] = [];
    // Every object of every backup is read back and decompressed: a damaged one fails to.
    const backupObjects = await this.backupObjects(source);
    for (const b of backups) {
      for (const path of backupObjects.filter((p) => p.startsWith(`${BACKUPS}${b.name}/`))) {
        const read = await this.runUnchecked(
          source,
          ["st", "cat", "--decompress", "--decrypt", path],
          HOUR_MS,
          { discardStdout: true },
        );
        if (read.code !== 0)
          problems.push({
            subject: path,
            message: `backup ${b.name} is invalid: ${path} cannot be read back (${walgError([], read).message.replace(/^wal-g\s+exited with code \d+: /, "")})`,
          });
      }
      if (!b.ok) problems.push({ subject: b.name, message: damagedBackupMessage(b) });
    }
    const objects = await this.walObjects(source);
    const segments: string[] = [];
    for (const o of objects) {
      const m = SEGMENT_OBJECT.exec(o.name);
      if (!m) continue;
      if (o.bytes === 0)
        problems.push({
          subject: `${WAL}${o.name}`,
          message: `${WAL}${o.name} is empty (a push or upload that left nothing)`,
        });
      else segments.push(m[1]);
    }
    const segmentBytes = await this.walSegmentBytes();
    const walRanges = rangesOf(segments, segmentBytes);
    problems.push(...walProblems(backups, walRanges, segmentBytes));
    problems.push(...(await this.engineVerify(source, walRanges.length > 0)));
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

  /** Object paths under `basebackups_005/`, recursively (tar partitions, metadata, sentinels). */
  private async backupObjects(source: RepositorySource): Promise<string[]> {
    if (source.repository === "local" && !existsSync(join(this.localRoot(), BACKUPS))) return [];
    const { stdout } = await this.run(source, ["st", "ls", "-r", BACKUPS], 30 * 60_000);
    return parseStorageListing(stdout).map((o) => `${BACKUPS}${o.name}`);
  }

  /**
   * wal-g's own opinion: `wal-verify integrity timeline --json`. It reads PostgreSQL's current
   * segment and timeline, so it runs only while PostgreSQL answers; a status other than OK is a
   * problem, in wal-g's words.
   */
  private async engineVerify(source: RepositorySource, hasWal: boolean): Promise<VerifyProblem[]> {
    if (!hasWal || !(await this.clusterSystemId())) return [];
    const result = await this.runUnchecked(
      source,
      ["wal-verify", "integrity", "timeline", "--json"],
      HOUR_MS,
    );
    if (result.code !== 0)
      return [{ subject: "wal-verify", message: walgError(["wal-verify"], result).message }];
    let report: Record<string, { status?: string; details?: unknown }>;
    try {
      report = JSON.parse(result.stdout) as typeof report;
    } catch {
      return [
        {
          subject: "wal-verify",
          message: "wal-g wal-verify --json printed something that is not JSON",
        },
      ];
    }
    return Object.entries(report).flatMap(([check, { status, details }]) =>
      status === undefined || status === "OK" || status === "WARNING"
        ? []
        : [
            {
              subject: `wal-verify ${check}`,
              message: `wal-g wal-verify ${check}: ${status} ${JSON.stringify(details ?? {})}`,
            },
          ],
    );
  }

  async expire(options: { readonly dryRun?: boolean } = {}): Promise<string[]> {
    const days: Record<Repository, number> = engineRetentionDays(this.config);
    // Both repositories before either is touched: wal-g's delete never compares clusters.
    await this.requireSameCluster(
      REPOSITORIES,
      options.dryRun ? "nothing was listed for deletion" : "nothing was deleted",
    );
    const lines: string[] = [];
    for (const repository of REPOSITORIES) {
      if ((await this.listed(this.own(repository))).length === 0) continue;
      const cutoff = new Date(Date.now() - days[repository] * 86_400_000);
      // Everything before the full backup that the newest backup older than the cutoff builds on:
      // PITR keeps reaching the cutoff, and the newest full (with its WAL) is never deleted.
      const result = await this.run(
        this.own(repository),
        [
          "delete",
          "before",
          "FIND_FULL",
          cutoff.toISOString().replace(/\.\d{3}Z$/, "Z"),
          ...(options.dryRun ? [] : ["--confirm"]),
        ],
        4 * HOUR_MS,
      );
      lines.push(
        ...`${result.stderr}\n${result.stdout}`
          .split("\n")
          .filter((l) => /will be deleted|delete/i.test(l) && !/^\s*$/.test(l))
          .filter((l) => /base_|[0-9A-F]{24}/.test(l))
          .map(
            (l) =>
              `${repository}: ${l.replace(/^\w+:\s*\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d+\s*/, "").trim()}`,
          ),
      );
    }
    return options.dryRun ? lines : [];
  }

  /** The error output archive_command kept for the segment (descriptor `archivePushErrorFile`). */
  async archivePushError(segment: string): Promise<string | undefined> {
    const text = await readFile(
      archivePushErrorFile(this.config.postgres.engine, segment),
      "utf8",
    ).catch(() => undefined);
    const lines = text
      ?.split("\n")
      .map((l) => l.trim())
      .filter((l) => /ERROR|FATAL|error/.test(l));
    return lines?.length ? lines.join(" ") : text?.trim() || undefined;
  }

  async restore(request: RestoreRequest): Promise<void> {
    const { engine } = this.config.postgres;
    const { pgData } = request;
    if (existsSync(join(pgData, "postmaster.pid")))
      throw new JobError(
        `${pgData} holds a running cluster (postmaster.pid): stop PostgreSQL before restoring into it`,
      );
    const entries = existsSync(pgData) ? await readdir(pgData) : [];
    if (entries.length > 0) {
      if (!request.delta)
        throw new JobError(
          `${pgData} is not empty: restore into an empty directory, or set DELTA=yes`,
        );
      // wal-g has no checksum delta restore: DELTA=yes clears the directory and fetches in full.
      for (const entry of entries) await rm(join(pgData, entry), { recursive: true, force: true });
    }
    await this.run(request.source, ["backup-fetch", pgData, request.backup], 12 * HOUR_MS);
    await removeStandbySignal(pgData);
    const own = request.source.host === this.hostId;
    // The restore_command remembers there which repository failed, to try it last for a while.
    const spoolDir = request.scratchRoot
      ? join(request.scratchRoot, "spool")
      : join(engine.spoolDir, "restore");
    await ownedDirectories(engine.osUser, [spoolDir]);
    await forgetUnreadableRepositories(spoolDir);
    const restoreCommand = descriptor.restoreCommand(engine, {
      spoolDir,
      ...(request.archiveEnd ? { archiveEnd: request.archiveEnd } : {}),
      ...(own && request.source.repository === "s3"
        ? {}
        : {
            source: {
              repository: request.source.repository,
              s3RepositoryPath: s3RepositoryPath(this.config, request.source.host),
            },
          }),
    });
    const settings: Record<string, string> = {
      restore_command: restoreCommand,
      ...targetSettings(request.target, request.timeline),
      ...(request.archiveOff ? { archive_mode: "off" } : {}),
    };
    const owner = account(engine.osUser);
    const auto = join(pgData, "postgresql.auto.conf");
    await appendFile(
      auto,
      `\n# recovery settings written by stellar-insights-backup's restore (wal-g)\n${Object.entries(
        settings,
      )
        .map(([k, v]) => `${k} = '${v.replace(/'/g, "''")}'`)
        .join("\n")}\n`,
    );
    const signal = join(pgData, "recovery.signal");
    await writeFile(signal, "");
    for (const path of [auto, signal]) await chown(path, owner.uid, owner.gid);
  }
}

/**
 * Recovery target settings per target, and the timeline recovery follows (PostgreSQL 15 docs,
 * 20.5.6 "Recovery Target"): always set, since the default (`latest`) would follow any newer
 * timeline in the repository.
 */
function targetSettings(target: RestoreTarget, timeline: number): Record<string, string> {
  const along = { recovery_target_timeline: String(timeline) };
  switch (target.kind) {
    case "latest":
      // No target: replay to the end of archived WAL along the timeline, then promote.
      return along;
    case "backup":
      return { recovery_target: "immediate", recovery_target_action: "promote", ...along };
    case "time":
      return {
        recovery_target_time: recoveryTargetTime(target),
        recovery_target_action: "promote",
        ...along,
      };
    default: {
      const unreachable: never = target;
      return unreachable;
    }
  }
}

/** Reading the cross-region replica (`SOURCE=replica`) is not built here (`readsOtherBucket`). */
function refuseReplica(): never {
  throw new JobError(
    `restoring from the replica bucket is not built for the ${descriptor.title} engine yet`,
    "restore from the primary bucket, or use postgresEngine pgbackrest (docs/runbook/restores.md#primary-region-down)",
  );
}

/**
 * A delta's name ends in `_D_<segment>`, the WAL segment its base backup's name starts with
 * (`base_<segment>` for a full, `base_<segment>_D_…` for another delta): the prior is that
 * backup in the same repository, and the delta is a differential when its prior is a full, an
 * incremental otherwise. A delta whose base is not listed keeps its name as prior (a restore then
 * refuses it by that name).
 */
export function withDeltaChains(backups: readonly EngineBackup[]): EngineBackup[] {
  const ownSegment = (name: string) => /^base_([0-9A-F]{24})/.exec(name)?.[1];
  return backups.map((b) => {
    const baseSegment = /_D_([0-9A-F]{24})$/.exec(b.name)?.[1];
    if (!baseSegment) return b;
    const prior = backups.find(
      (other) => other.repository === b.repository && ownSegment(other.name) === baseSegment,
    );
    const priorIsFull = prior !== undefined && !/_D_/.test(prior.name);
    return {
      ...b,
      kind: priorIsFull ? "differential" : "incremental",
      prior: prior?.name ?? `base_${baseSegment}`,
    };
  });
}
