/**
 * Turns the raw stack config (key → string, as Pulumi hands it over; objects JSON-encoded) into a
 * `StackConfig`, or into the full list of problems. Every rule runs, so one `pulumi up` shows
 * everything that is wrong. Pure: tested without Pulumi.
 */
import {
  BACKUP_TYPE_KEYS,
  BACKUP_TYPES,
  DEFAULT_METRIC_NAMESPACE,
  DEFAULT_SCHEDULES,
  SCHEDULE_KEYS,
  describeSeconds,
  isBackupTypeKey,
  isScheduleKey,
  parseScheduleExpression,
  type BackupTypeKey,
  type ScheduleKey,
} from "../catalog";
import {
  DEFAULT_POSTGRES_ENGINE,
  isPostgresEngineKey,
  POSTGRES_ENGINE_KEYS,
  type PostgresEngineKey,
} from "../catalog/engines";
import {
  OFFLINE_SECRET_PLACEHOLDER,
  type ConfigProblem,
  type HostTarget,
  type StackConfig,
  type Thresholds,
} from "./stackConfig";

export const CONFIG_KEYS = [
  "bucketName",
  "retentionDays",
  "walgBackstopDays",
  "accessLogRetentionDays",
  "schedules",
  "timezone",
  "postgresEngine",
  "pgMajorVersion",
  "pgData",
  "localBackupRoot",
  "hostTarget",
  "alertEmail",
  "alertHttpsEndpoint",
  "metricNamespace",
  "thresholds",
  "postDeployCheck",
] as const;

export const DEFAULT_BUCKET_NAME = "stellar-insights-backups";
export const SUPPORTED_PG_MAJOR_VERSIONS = [12, 13, 14, 15, 16, 17] as const;
/** Suffix of the access-log bucket's name; the backup bucket's name must leave room for it. */
export const ACCESS_LOG_BUCKET_SUFFIX = "-access-logs";
const DEFAULT_WALG_BACKSTOP_MARGIN_DAYS = 30;
/** The backstop must outlive wal-g's window by a full-backup cycle plus a cleanup cycle. */
const MIN_WALG_BACKSTOP_MARGIN_DAYS = 7;

export type ValidationResult =
  | { readonly ok: true; readonly config: StackConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Days wal-g keeps: enough for both the base backups and the WAL that PITR needs. */
export function walgRetentionDays(retentionDays: Readonly<Record<BackupTypeKey, number>>): number {
  return Math.max(retentionDays.postgres, retentionDays.wal);
}

class Collector {
  readonly problems: ConfigProblem[] = [];
  add(key: string, value: unknown, message: string): void {
    this.problems.push({ key, value, message });
  }
}

function parseJsonObject(raw: string | undefined, key: string, c: Collector): Record<string, unknown> {
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  c.add(key, raw, "must be an object (a YAML map)");
  return {};
}

function wholeDays(value: unknown, key: string, c: Collector): number | undefined {
  const n = typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    c.add(key, value, "must be a whole number of days, at least 1");
    return undefined;
  }
  return n;
}

function validateBucketName(name: string, c: Collector): void {
  const key = "bucketName";
  const maxLength = 63 - ACCESS_LOG_BUCKET_SUFFIX.length;
  if (name.length < 3 || name.length > maxLength) {
    c.add(key, name, `must be 3-${maxLength} characters (the log bucket appends '${ACCESS_LOG_BUCKET_SUFFIX}')`);
  }
  if (!/^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(name)) {
    c.add(
      key,
      name,
      "must be DNS-compatible: lowercase letters, digits and hyphens, starting and ending with a letter or digit " +
        "(no dots: they break TLS on virtual-hosted S3 addresses)",
    );
  }
  if (name.startsWith("xn--") || name.startsWith("sthree-") || name.endsWith("-s3alias")) {
    c.add(key, name, "must not start with 'xn--' or 'sthree-' nor end with '-s3alias' (reserved by S3)");
  }
}

function validateRetention(raw: string | undefined, c: Collector): Record<BackupTypeKey, number> {
  const overrides = parseJsonObject(raw, "retentionDays", c);
  const result = Object.fromEntries(
    BACKUP_TYPE_KEYS.map((k) => [k, BACKUP_TYPES[k].retentionDays]),
  ) as Record<BackupTypeKey, number>;
  for (const [row, value] of Object.entries(overrides)) {
    const key = `retentionDays.${row}`;
    if (!isBackupTypeKey(row)) {
      c.add(key, value, `unknown catalog row; allowed: ${BACKUP_TYPE_KEYS.join(", ")}`);
      continue;
    }
    const days = wholeDays(value, key, c);
    if (days === undefined) continue;
    result[row] = days;
    const rpo = BACKUP_TYPES[row].rpoSeconds;
    if (days * 86400 < rpo) {
      c.add(key, value, `is shorter than the row's RPO (${describeSeconds(rpo)}): the newest backup could expire before the next is taken`);
    }
  }
  if (result.wal < result.postgres) {
    c.add(
      "retentionDays.wal",
      result.wal,
      `must be at least retentionDays.postgres (${result.postgres}): a base backup cannot be restored without the WAL written while it was taken`,
    );
  }
  return result;
}

function validateSchedules(raw: string | undefined, c: Collector): Record<ScheduleKey, string> {
  const overrides = parseJsonObject(raw, "schedules", c);
  const result: Record<ScheduleKey, string> = { ...DEFAULT_SCHEDULES };
  for (const [name, value] of Object.entries(overrides)) {
    const key = `schedules.${name}`;
    if (!isScheduleKey(name)) {
      const hint = name === "wal" ? " ('wal' is continuous: archive_timeout sets its RPO)" : "";
      c.add(key, value, `unknown schedule${hint}; allowed: ${SCHEDULE_KEYS.join(", ")}`);
      continue;
    }
    if (typeof value !== "string") {
      c.add(key, value, "must be a string such as 'cron(0 2 * * ? *)' or 'rate(1 hour)'");
      continue;
    }
    result[name] = value;
  }
  for (const name of SCHEDULE_KEYS) {
    const expression = result[name];
    const parsed = parseScheduleExpression(expression);
    const key = `schedules.${name}`;
    if (!parsed.ok) {
      c.add(key, expression, `is not a valid schedule expression: ${parsed.reason}`);
      continue;
    }
    if (!isBackupTypeKey(name)) continue;
    const rpo = BACKUP_TYPES[name].rpoSeconds;
    if (parsed.maxGapSeconds > rpo) {
      c.add(
        key,
        expression,
        `leaves up to ${describeSeconds(parsed.maxGapSeconds)} between runs, longer than the ${name} RPO of ${describeSeconds(rpo)}`,
      );
    }
  }
  return result;
}

function validateAbsolutePath(key: string, value: string, c: Collector): void {
  if (!value.startsWith("/") || value.split("/").includes("..") || /[\s'"`$\\;&|<>]/.test(value)) {
    c.add(key, value, "must be an absolute path without '..', spaces or shell metacharacters");
  }
}

function validateHostTarget(raw: string | undefined, c: Collector): HostTarget {
  const parsed = parseJsonObject(raw, "hostTarget", c);
  const target = {
    tagKey: parsed.tagKey ?? "stellar-insights:backup-role",
    tagValue: parsed.tagValue ?? "database",
  };
  for (const field of ["tagKey", "tagValue"] as const) {
    const value = target[field];
    if (typeof value !== "string" || value.trim() === "") {
      c.add(`hostTarget.${field}`, value, "must be a non-empty tag string that selects the database hosts");
    } else if (!/^[\w.:/=+@-]{1,128}$/.test(value)) {
      c.add(`hostTarget.${field}`, value, "must be 1-128 letters, digits, spaces excluded, or _ . : / = + - @");
    }
  }
  for (const extra of Object.keys(parsed).filter((k) => k !== "tagKey" && k !== "tagValue")) {
    c.add(`hostTarget.${extra}`, parsed[extra], "unknown field; allowed: tagKey, tagValue");
  }
  return target as HostTarget;
}

function validateAlertTargets(raw: Readonly<Record<string, string>>, c: Collector): void {
  const email = raw.alertEmail;
  const endpoint = raw.alertHttpsEndpoint;
  if (email === undefined && endpoint === undefined) {
    c.add("alertEmail", undefined, "set alertEmail and/or alertHttpsEndpoint: failed backups must page someone");
  }
  if (email !== undefined && email !== OFFLINE_SECRET_PLACEHOLDER && !/^[^\s@'"`$\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(email)) {
    c.add("alertEmail", email, "must be an e-mail address such as devops@stellar-insights.com");
  }
  if (endpoint !== undefined && endpoint !== OFFLINE_SECRET_PLACEHOLDER) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== "https:" || url.hostname === "") {
      c.add("alertHttpsEndpoint", endpoint, "must be an https:// URL (the paging service's SNS endpoint)");
    }
  }
}

function validateTimezone(value: string, c: Collector): void {
  const zones = new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
  if (!zones.has(value)) c.add("timezone", value, "must be an IANA time zone such as UTC or Europe/Berlin");
}

function validatePgMajorVersion(raw: string | undefined, c: Collector): number {
  if (raw === undefined) return 14;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !(SUPPORTED_PG_MAJOR_VERSIONS as readonly number[]).includes(n)) {
    c.add(
      "pgMajorVersion",
      raw,
      `must be one of ${SUPPORTED_PG_MAJOR_VERSIONS.join(", ")} (PostgreSQL 12+ restores with recovery.signal)`,
    );
    return 14;
  }
  return n;
}

/** The runbook's alert limits ("Backup Alerts"), before stack overrides. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  backupAgeHours: 24,
  walArchiveLagMinutes: 15,
  diskUsagePercent: 80,
  // Two consecutive health checks (10 minutes): one odd sample does not wake anyone.
  evaluationPeriods: 2,
};

const THRESHOLD_KEYS = [
  "backupAgeHours",
  "walArchiveLagMinutes",
  "diskUsagePercent",
  "evaluationPeriods",
  "restoreTestRtoMinutes",
] as const;
type ThresholdKey = (typeof THRESHOLD_KEYS)[number];

function isThresholdKey(value: string): value is ThresholdKey {
  return (THRESHOLD_KEYS as readonly string[]).includes(value);
}

function wholeNumberIn(value: unknown, key: string, min: number, max: number, allowed: string, c: Collector): number | undefined {
  const n = typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    c.add(key, value, allowed);
    return undefined;
  }
  return n;
}

/**
 * An age limit below the schedule's longest gap would page between two good backups; one above the
 * RPO would page only once the RPO is already lost. Both bounds come from the catalog and the
 * validated schedules.
 */
function validateThresholds(raw: string | undefined, schedules: Readonly<Record<ScheduleKey, string>>, c: Collector): Thresholds {
  const overrides = parseJsonObject(raw, "thresholds", c);
  const result: { -readonly [K in ThresholdKey]?: number } = { ...DEFAULT_THRESHOLDS };
  const pgRpoHours = BACKUP_TYPES.postgres.rpoSeconds / 3600;
  const pgSchedule = parseScheduleExpression(schedules.postgres);
  const pgGapHours = pgSchedule.ok ? Math.ceil(pgSchedule.maxGapSeconds / 3600) : 1;
  const walRpoMinutes = BACKUP_TYPES.wal.rpoSeconds / 60;
  /** [min, max, what is allowed] */
  const rules: Record<ThresholdKey, readonly [number, number, string]> = {
    backupAgeHours: [
      pgGapHours,
      pgRpoHours,
      `must be a whole number of hours from ${pgGapHours} (the postgres schedule's longest gap: lower pages between two good backups) to ${pgRpoHours} (the postgres RPO: higher pages only after the RPO is lost)`,
    ],
    walArchiveLagMinutes: [
      1,
      walRpoMinutes,
      `must be a whole number of minutes from 1 to ${walRpoMinutes} (the wal RPO: higher pages only after the RPO is lost)`,
    ],
    diskUsagePercent: [1, 99, "must be a whole percentage from 1 to 99"],
    evaluationPeriods: [1, 10, "must be a whole number from 1 to 10 (consecutive 5-minute health-check periods)"],
    restoreTestRtoMinutes: [1, 1440, "must be a whole number of minutes from 1 to 1440 (the weekly restore test's time to a queryable database)"],
  };
  for (const [name, value] of Object.entries(overrides)) {
    const key = `thresholds.${name}`;
    if (!isThresholdKey(name)) {
      c.add(key, value, `unknown threshold; allowed: ${THRESHOLD_KEYS.join(", ")}`);
      continue;
    }
    const [min, max, allowed] = rules[name];
    const n = wholeNumberIn(value, key, min, max, allowed, c);
    if (n !== undefined) result[name] = n;
  }
  return result as Thresholds;
}

function validateBoolean(raw: string | undefined, key: string, fallback: boolean, c: Collector): boolean {
  if (raw === undefined) return fallback;
  if (raw === "true" || raw === "false") return raw === "true";
  c.add(key, raw, "must be true or false");
  return fallback;
}

/**
 * @param raw the project's keys without their namespace
 * @param awsRegion `aws:region`, which the AWS provider reads too
 */
export function validateStackConfig(
  raw: Readonly<Record<string, string>>,
  awsRegion: string | undefined,
): ValidationResult {
  const c = new Collector();
  const region = awsRegion ?? "";
  if (!/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(region)) {
    c.add("aws:region", awsRegion, "must be an AWS region such as us-east-1 (set it with `pulumi config set aws:region`)");
  }
  for (const key of Object.keys(raw)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      c.add(key, raw[key], `unknown config key; allowed: ${CONFIG_KEYS.join(", ")}`);
    }
  }

  const bucketName = raw.bucketName ?? DEFAULT_BUCKET_NAME;
  validateBucketName(bucketName, c);
  const retentionDays = validateRetention(raw.retentionDays, c);
  const walgDays = walgRetentionDays(retentionDays);
  const walgBackstopDays =
    raw.walgBackstopDays === undefined
      ? walgDays + DEFAULT_WALG_BACKSTOP_MARGIN_DAYS
      : wholeDays(raw.walgBackstopDays, "walgBackstopDays", c) ?? 0;
  if (walgBackstopDays && walgBackstopDays < walgDays + MIN_WALG_BACKSTOP_MARGIN_DAYS) {
    c.add(
      "walgBackstopDays",
      raw.walgBackstopDays,
      `must be at least ${walgDays + MIN_WALG_BACKSTOP_MARGIN_DAYS} (wal-g keeps ${walgDays} days; a shorter lifecycle deletes WAL a kept base backup needs)`,
    );
  }
  const accessLogRetentionDays =
    raw.accessLogRetentionDays === undefined
      ? 365
      : wholeDays(raw.accessLogRetentionDays, "accessLogRetentionDays", c) ?? 365;
  const schedules = validateSchedules(raw.schedules, c);
  if (!schedules.snapshots.startsWith("cron(")) {
    c.add("schedules.snapshots", schedules.snapshots, "must be a cron(...) expression: Data Lifecycle Manager takes no rate() (and reads cron in UTC)");
  }
  const timezone = raw.timezone ?? "UTC";
  validateTimezone(timezone, c);
  const postgresEngine = raw.postgresEngine ?? DEFAULT_POSTGRES_ENGINE;
  if (!isPostgresEngineKey(postgresEngine)) {
    c.add("postgresEngine", raw.postgresEngine, `must be one of ${POSTGRES_ENGINE_KEYS.join(", ")}`);
  }
  const pgMajorVersion = validatePgMajorVersion(raw.pgMajorVersion, c);
  const pgData = raw.pgData ?? `/var/lib/postgresql/${pgMajorVersion}/main`;
  validateAbsolutePath("pgData", pgData, c);
  const localBackupRoot = raw.localBackupRoot ?? "/var/backups";
  validateAbsolutePath("localBackupRoot", localBackupRoot, c);
  const hostTarget = validateHostTarget(raw.hostTarget, c);
  validateAlertTargets(raw, c);
  const metricNamespace = raw.metricNamespace ?? DEFAULT_METRIC_NAMESPACE;
  if (!/^[A-Za-z0-9._/#:-]{1,255}$/.test(metricNamespace) || metricNamespace.startsWith("AWS/")) {
    c.add("metricNamespace", metricNamespace, "must be 1-255 of A-Z a-z 0-9 . _ / # : - and not start with 'AWS/'");
  }

  const thresholds = validateThresholds(raw.thresholds, schedules, c);
  const postDeployCheck = validateBoolean(raw.postDeployCheck, "postDeployCheck", true, c);

  if (c.problems.length > 0) return { ok: false, problems: c.problems };
  return {
    ok: true,
    config: {
      region,
      bucketName,
      retentionDays,
      walgBackstopDays,
      accessLogRetentionDays,
      schedules,
      timezone,
      postgresEngine: postgresEngine as PostgresEngineKey,
      pgMajorVersion,
      pgData,
      localBackupRoot,
      hostTarget,
      alertEmail: raw.alertEmail,
      alertHttpsEndpoint: raw.alertHttpsEndpoint,
      metricNamespace,
      thresholds,
      postDeployCheck,
    },
  };
}
