/**
 * The runbook keeps every backup in two locations: S3 (off-site, survives the host) and
 * `local.root` (fast restore). A job attempts both whatever happens to the other, the off-site
 * copy first (it is the one that matters when the host is lost), and fails the run when either
 * failed, naming each failed location with what to do about it.
 */
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { JobError, errorMessage } from "../job/errors";
import type { RoomCheck } from "./localCopies";

export type BackupLocation = "off-site copy" | "local copy";

export interface LocationFailure {
  readonly location: BackupLocation;
  readonly error: unknown;
}

/** Collects the failures of one backup's two copies; `throwIfAny` ends the backup with all of them. */
export class TwoLocations {
  private readonly failures: LocationFailure[] = [];

  constructor(
    /** What is being backed up, for the message: "Redis dump 20240115T020000Z". */
    readonly what: string,
  ) {}

  record(location: BackupLocation, error: unknown): void {
    this.failures.push({ location, error });
  }

  /** Runs one location's write; a failure is recorded (not thrown) so the other location still runs. */
  async attempt<T>(location: BackupLocation, write: () => Promise<T>): Promise<T | undefined> {
    try {
      return await write();
    } catch (error) {
      this.record(location, error);
      return undefined;
    }
  }

  failed(location: BackupLocation): boolean {
    return this.failures.some((f) => f.location === location);
  }

  /** Throws one JobError naming every failed location, its error and its hint; the hints are joined. */
  throwIfAny(): void {
    if (this.failures.length === 0) return;
    const hints = this.failures.flatMap((f) =>
      f.error instanceof JobError && f.error.hint ? [f.error.hint] : [],
    );
    throw new JobError(
      `${this.what}: ${this.failures.map((f) => `${f.location} failed: ${errorMessage(f.error)}`).join("; ")}`,
      hints.length > 0 ? [...new Set(hints)].join("; ") : undefined,
    );
  }
}

/** Errors of a file system that is out of room (no space, quota, file too large for it). */
const NO_ROOM_CODES = new Set(["ENOSPC", "EDQUOT", "EFBIG"]);

/** A failed local write as on-call should read it: a full backup volume says so, with the path. */
export function localCopyError(config: HostConfig, target: string, error: unknown): JobError {
  if (error instanceof JobError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return NO_ROOM_CODES.has(code ?? "")
    ? new JobError(
        `${target} does not fit on the backup volume ${config.local.root} (${code})`,
        `free space on ${config.local.root} or grow it; no partial file was left there`,
      )
    : new JobError(
        `could not write ${target}: ${errorMessage(error)}`,
        `check ${config.local.root} is mounted and writable by the job`,
      );
}

/** The refusal when the backup volume is over `local.maxDiskUsagePercent` before writing. */
export function localRoomRefusal(config: HostConfig, room: RoomCheck): JobError {
  return new JobError(
    `refused: ${config.local.root} is ${room.percent}% full (limit ${room.limit}%)`,
    `free space on ${config.local.root}, or raise the limit in the stack if the volume is sized for it`,
  );
}
