/**
 * The README's catalog table, rendered from the catalog so the two cannot disagree (a test checks
 * the README holds exactly this text).
 */
import {
  BACKUP_TYPE_KEYS,
  BACKUP_TYPES,
  DEFAULT_SCHEDULES,
  describeSeconds,
  isScheduleKey,
  type BackupType,
} from "../../catalog";

function when(row: BackupType): string {
  switch (row.cadence.kind) {
    case "continuous":
      return "continuous (archive_command)";
    case "onChange":
      return `on change, checked \`${row.cadence.expression}\``;
    case "scheduled":
      return `\`${isScheduleKey(row.key) ? DEFAULT_SCHEDULES[row.key] : row.cadence.expression}\``;
    default: {
      const unreachable: never = row.cadence;
      return unreachable;
    }
  }
}

function where(row: BackupType): string {
  if (row.s3 === undefined) return "EBS snapshots (DLM)";
  const runbook = row.s3.objects.startsWith(row.s3.runbookPrefix)
    ? ""
    : `runbook \`${row.s3.runbookPrefix}\` = `;
  return `${runbook}\`${row.s3.objects}\``;
}

function kept(row: BackupType): string {
  switch (row.retentionOwner) {
    case "lifecycle":
      return "S3 lifecycle";
    case "engine":
      return "the PostgreSQL engine's expire (lifecycle: longer backstop)";
    case "dlm":
      return "DLM retain rule";
    default: {
      const unreachable: never = row.retentionOwner;
      return unreachable;
    }
  }
}

export function catalogMarkdownTable(): string {
  const header = [
    "| Row | Runbook type | When (UTC by default) | Retention | RPO | Storage | Objects in the bucket | Deleted by |",
    "|---|---|---|---|---|---|---|---|",
  ];
  const rows = BACKUP_TYPE_KEYS.map((key) => {
    const row = BACKUP_TYPES[key];
    return `| \`${key}\` | ${row.title} | ${when(row)} | ${row.retentionDays} days | ${describeSeconds(row.rpoSeconds)} | ${row.storage.join(" + ")} | ${where(row)} | ${kept(row)} |`;
  });
  return [...header, ...rows].join("\n");
}
