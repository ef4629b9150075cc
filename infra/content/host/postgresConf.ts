/**
 * The managed postgresql.conf fragment: continuous WAL archiving through the stack's engine, for point-in-time
 * recovery. Pure: a function of the host config, exact text out. The installer drops it into the
 * cluster's `conf.d/` (host config `postgres.managedConfigFile`).
 */
import { BACKUP_TYPES, describeSeconds } from "../../catalog";
import { postgresEngine } from "../../catalog/engines";
import {
  ARCHIVE_COMMAND_MAX_BYTES,
  expandedArchiveCommand,
} from "../../catalog/engines/descriptor";
import type { HostConfig } from "../../catalog/hostConfig";

/** What applying a changed value takes: PostgreSQL reads some settings only at server start. */
export type ApplyBy = "restart" | "reload";

export interface ManagedSetting {
  readonly name: string;
  /** Rendered as written (strings already quoted for the file's syntax). */
  readonly value: string;
  readonly applyBy: ApplyBy;
  /** Why the setting has this value, written above it in the file. */
  readonly why: string;
}

/** The first lines of every managed fragment: who writes it, and that hand edits are lost. */
export function managedHeader(stack: string, what: string): string[] {
  return [
    `# ${what}`,
    `# MANAGED by stellar-insights-backup (stack '${stack}'): generated, installed and overwritten by the`,
    "# stack's install document. Do not edit here; change the stack and deploy.",
  ];
}

export function renderSettings(
  header: readonly string[],
  settings: readonly ManagedSetting[],
  line: (s: ManagedSetting) => string,
): string {
  const body = settings.flatMap((s) => ["", `# ${s.why}`, line(s)]);
  return [...header, ...body, ""].join("\n");
}

function quoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Throws when the archive timeout would let WAL sit unarchived longer than the WAL row's RPO, or
 * the archive_command would be longer than PostgreSQL runs whole.
 */
export function postgresSettings(host: HostConfig): ManagedSetting[] {
  const pg = host.postgres;
  const rpo = BACKUP_TYPES.wal.rpoSeconds;
  if (pg.archiveTimeoutSeconds > rpo) {
    throw new Error(
      `postgres.archiveTimeoutSeconds (${pg.archiveTimeoutSeconds}) exceeds the WAL RPO of ${describeSeconds(rpo)}`,
    );
  }
  const archiveCommand = postgresEngine(pg.engine.kind).archiveCommand(pg.engine);
  const expanded = Buffer.byteLength(expandedArchiveCommand(archiveCommand));
  if (expanded > ARCHIVE_COMMAND_MAX_BYTES)
    throw new Error(
      `archive_command would be ${expanded} bytes once PostgreSQL expands %p and %f, over the ${ARCHIVE_COMMAND_MAX_BYTES} it runs whole (it cuts the rest silently): shorten postgres.engine.binary or postgres.engine.configFile`,
    );
  return [
    {
      name: "wal_level",
      value: "replica",
      applyBy: "restart",
      why: "WAL must carry enough to replay changes onto a base backup (point-in-time recovery).",
    },
    {
      name: "full_page_writes",
      value: "on",
      applyBy: "reload",
      why: "Base backups taken while the database writes are only consistent with full-page images.",
    },
    {
      name: "archive_mode",
      value: "on",
      applyBy: "restart",
      why: "Every completed WAL segment goes to the archive command; a failure keeps the segment and retries.",
    },
    {
      name: "archive_command",
      value: quoted(archiveCommand),
      applyBy: "reload",
      why: "The engine reads bucket, this host's repository and region from its own config file; credentials come from the instance role.",
    },
    {
      name: "archive_timeout",
      value: `${pg.archiveTimeoutSeconds}s`,
      applyBy: "reload",
      why: `A partly filled segment is archived after this long (the WAL row's RPO is ${describeSeconds(rpo)}).`,
    },
  ];
}

export function postgresConf(host: HostConfig): string {
  return renderSettings(
    managedHeader(
      host.stack,
      "postgresql.conf fragment: WAL archiving for point-in-time recovery.",
    ),
    postgresSettings(host),
    (s) => `${s.name} = ${s.value}`,
  );
}
