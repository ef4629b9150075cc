/**
 * The wal-g adapter (descriptor: infra/catalog/engines/walg.ts). wal-g cannot be installed on this
 * project's machines; its contract tests run only where WALG_BINARY names a binary. Until its
 * engine issue lands, this adapter answers what the host plane already read from wal-g (install
 * state, the backup list from `backup-list --detail --json`) and refuses the rest by name.
 */
import type { OtherBucket } from "../../../infra/catalog/engines/descriptor";
import { POSTGRES_ENGINES } from "../../../infra/catalog/engines";
import { EngineAdapterBase } from "./adapterBase";
import { JobError } from "../errors";
import type {
  ArchivedSegment,
  EngineBackup,
  NewestTimeline,
  PostgresEngineAdapter,
  Repository,
  VerifyReport,
} from "./adapter";
import { runEngine } from "./engineProcess";

const descriptor = POSTGRES_ENGINES["wal-g"];

function notYet(what: string): never {
  throw new JobError(
    `${what} is not available with the wal-g engine in this release`,
    "use postgresEngine: pgbackrest, or run the runbook's wal-g procedure by hand",
  );
}

export class WalgAdapter extends EngineAdapterBase implements PostgresEngineAdapter {
  readonly descriptor = descriptor;
  protected readonly installHint =
    "install the wal-g release binary, checked against its SHA-256 (README: PostgreSQL engine)";

  async list(
    repository: Repository = "s3",
    host: string = this.hostId,
    bucket?: OtherBucket,
  ): Promise<EngineBackup[]> {
    if (repository !== "s3") notYet("the local repository");
    if (host !== this.hostId) notYet("another host's repository");
    if (bucket) notYet("the replica bucket");
    const { engine } = this.config.postgres;
    const result = await runEngine(
      this.config,
      ["--config", engine.configFile, "backup-list", "--detail", "--json"],
      120_000,
    );
    if (result.code !== 0)
      throw new JobError(
        `wal-g backup-list exited with code ${result.code}: ${result.stderr.trim().split("\n").at(-1) ?? ""}`,
      );
    let parsed: unknown;
    try {
      parsed = result.stdout.trim() === "" ? [] : JSON.parse(result.stdout);
    } catch {
      throw new JobError("wal-g backup-list --json printed something that is not JSON");
    }
    if (!Array.isArray(parsed)) throw new JobError("wal-g backup-list --json did not print a list");
    return (parsed as Record<string, unknown>[])
      .map((b): EngineBackup => ({
        name: String(b.backup_name),
        kind: String(b.backup_name).includes("_D_") ? "differential" : "full",
        repository: "s3",
        startedAt: new Date(String(b.start_time)),
        stoppedAt: new Date(String(b.finish_time)),
        walStart: String(b.wal_file_name ?? ""),
        walStop: String(b.wal_file_name ?? ""),
        databaseBytes: Number(b.uncompressed_size ?? 0),
        storedBytes: Number(b.compressed_size ?? 0),
        annotations: (b.user_data as Record<string, string> | undefined) ?? {},
        ok: true,
      }))
      .filter((b) => !Number.isNaN(b.stoppedAt.getTime()))
      .sort((a, b) => a.stoppedAt.getTime() - b.stoppedAt.getTime());
  }

  setup(): Promise<void> {
    return notYet("repository setup");
  }
  check(): Promise<void> {
    return notYet("the archive check");
  }
  backup(): Promise<EngineBackup> {
    return notYet("backup");
  }
  verify(): Promise<VerifyReport> {
    return notYet("verify");
  }
  expire(): Promise<string[]> {
    return notYet("expire");
  }
  archivedWal(): Promise<ArchivedSegment[]> {
    return notYet("the WAL listing");
  }
  newestTimeline(): Promise<NewestTimeline> {
    return notYet("the timeline history");
  }
  restore(): Promise<void> {
    return notYet("restore");
  }
}
