/**
 * The stack config's one schema: the raw config (key → string, as Pulumi hands it over; YAML maps
 * JSON-encoded) in, a fully defaulted `StackConfig` or the full list of problems out. Every rule
 * runs, so one `pulumi up` shows everything that is wrong, in the order the stack file lists it.
 * Pure: tested without Pulumi.
 *
 * Shape: each key's own rules sit on the key; rules that relate keys (WAL kept as long as base
 * backups, the PostgreSQL engine's lifecycle backstop, a paging target, the backup-age alarm against the postgres
 * schedule) run after, on every key they read that is itself valid; defaults are applied last.
 */
import * as v from "valibot";
import { DEFAULT_POSTGRES_ENGINE, POSTGRES_ENGINE_KEYS } from "../catalog/engines";
import {
  ACCESS_LOG_BUCKET_SUFFIX,
  BACKUP_TYPE_KEYS,
  BACKUP_TYPES,
  DEFAULT_ACCESS_LOG_RETENTION_DAYS,
  DEFAULT_BUCKET_NAME,
  DEFAULT_HOST_TARGET,
  DEFAULT_LOCAL_BACKUP_ROOT,
  DEFAULT_METRIC_NAMESPACE,
  DEFAULT_PG_MAJOR_VERSION,
  DEFAULT_SCHEDULES,
  DEFAULT_THRESHOLDS,
  DEFAULT_TIMEZONE,
  DEFAULT_POSTGRES_BACKSTOP_MARGIN_DAYS,
  MIN_POSTGRES_BACKSTOP_MARGIN_DAYS,
  SUPPORTED_PG_MAJOR_VERSIONS,
  defaultPgData,
  postgresRetentionDays,
  SCHEDULE_KEYS,
  describeSeconds,
  isBackupTypeKey,
  parseScheduleExpression,
  type BackupTypeKey,
  type ScheduleKey,
} from "../catalog";
import { exactObject, isPlainObject } from "../catalog/schema/parts";
import {
  AWS_REGION_PATTERN,
  countText,
  fromNumericText,
  mapCount,
  pathItem,
  s3BucketName,
  yamlMap,
} from "./configParts";
import { durabilityEntries, durabilityProblems, durabilitySettings } from "./durability";
import { schemaProblems } from "../catalog/schema/problems";
import {
  OFFLINE_SECRET_PLACEHOLDER,
  type ConfigProblem,
  type StackConfig,
  type Thresholds,
} from "./stackConfig";

export type ValidationResult =
  | { readonly ok: true; readonly config: StackConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** `aws:region` is the AWS provider's key, checked beside the project's own. */
const REGION_KEY = "aws:region";
const REGION_MESSAGE =
  "must be an AWS region such as us-east-1 (set it with `pulumi config set aws:region`)";
/** One string key whose whole rule is a predicate. */
const textWhere = (ok: (text: string) => boolean, message: string) =>
  v.pipe(v.string(message), v.check(ok, message));

const WHOLE_DAYS = "must be a whole number of days, at least 1";

function retentionOverride(row: BackupTypeKey) {
  const rpo = BACKUP_TYPES[row].rpoSeconds;
  return v.pipe(
    mapCount(1, Number.MAX_SAFE_INTEGER, WHOLE_DAYS),
    v.check(
      // Judged only once it is a valid number of days: one message per value.
      (days) => !(Number.isInteger(days) && days >= 1) || days * 86400 >= rpo,
      `is shorter than the row's RPO (${describeSeconds(rpo)}): the newest backup could expire before the next is taken`,
    ),
  );
}

function scheduleOverride(name: ScheduleKey) {
  return v.pipe(
    v.string("must be a string such as 'cron(0 2 * * ? *)' or 'rate(1 hour)'"),
    v.rawCheck<string>(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const expression = dataset.value;
      const parsed = parseScheduleExpression(expression);
      if (!parsed.ok) {
        addIssue({ message: `is not a valid schedule expression: ${parsed.reason}` });
        return;
      }
      if (isBackupTypeKey(name) && parsed.maxGapSeconds > BACKUP_TYPES[name].rpoSeconds) {
        const rpo = BACKUP_TYPES[name].rpoSeconds;
        addIssue({
          message: `leaves up to ${describeSeconds(parsed.maxGapSeconds)} between runs, longer than the ${name} RPO of ${describeSeconds(rpo)}`,
        });
      }
      if (name === "snapshots" && !expression.trim().startsWith("cron(")) {
        addIssue({
          message:
            "must be a cron(...) expression: Data Lifecycle Manager takes no rate() (and reads cron in UTC)",
        });
      }
    }),
  );
}

const EMPTY_TAG = "must be a non-empty tag string that selects the database hosts";
const tagText = () =>
  v.pipe(
    v.string(EMPTY_TAG),
    v.check((tag) => tag.trim() !== "", EMPTY_TAG),
    v.check(
      (tag) => tag.trim() === "" || /^[\w.:/=+@-]{1,128}$/.test(tag),
      "must be 1-128 letters, digits, spaces excluded, or _ . : / = + - @",
    ),
  );

function isAbsoluteSafePath(path: string): boolean {
  return path.startsWith("/") && !path.split("/").includes("..") && !/[\s'"`$\\;&|<>]/.test(path);
}
const ABSOLUTE_PATH = "must be an absolute path without '..', spaces or shell metacharacters";

function isHttpsUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" && url.hostname !== "";
  } catch {
    return false;
  }
}

/** The backup bucket's name: its access-log bucket appends a suffix, so it must stay shorter. */
function bucketNameRules() {
  const maxLength = 63 - ACCESS_LOG_BUCKET_SUFFIX.length;
  return s3BucketName(
    maxLength,
    `must be 3-${maxLength} characters (the log bucket appends '${ACCESS_LOG_BUCKET_SUFFIX}')`,
  );
}

const TIME_ZONES = new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);

const THRESHOLD_KEYS = [
  "backupAgeHours",
  "walArchiveLagMinutes",
  "diskUsagePercent",
  "evaluationPeriods",
  "restoreTestRtoMinutes",
] as const;
const WAL_RPO_MINUTES = BACKUP_TYPES.wal.rpoSeconds / 60;
const PG_RPO_HOURS = BACKUP_TYPES.postgres.rpoSeconds / 3600;

/**
 * An age limit below the schedule's longest gap would page between two good backups; one above the
 * RPO would page only once the RPO is already lost.
 */
const backupAgeMessage = (gapHours: number) =>
  `must be a whole number of hours from ${gapHours} (the postgres schedule's longest gap: lower pages between two good backups) to ${PG_RPO_HOURS} (the postgres RPO: higher pages only after the RPO is lost)`;

const thresholdEntries = {
  // Its lower bound is the postgres schedule's gap: checked with the keys it relates to, below.
  backupAgeHours: v.exactOptional(v.unknown()),
  walArchiveLagMinutes: v.exactOptional(
    mapCount(
      1,
      WAL_RPO_MINUTES,
      `must be a whole number of minutes from 1 to ${WAL_RPO_MINUTES} (the wal RPO: higher pages only after the RPO is lost)`,
    ),
  ),
  diskUsagePercent: v.exactOptional(mapCount(1, 99, "must be a whole percentage from 1 to 99")),
  evaluationPeriods: v.exactOptional(
    mapCount(
      1,
      10,
      "must be a whole number from 1 to 10 (consecutive 5-minute health-check periods)",
    ),
  ),
  restoreTestRtoMinutes: v.exactOptional(
    mapCount(
      1,
      1440,
      "must be a whole number of minutes from 1 to 1440 (the weekly restore test's time to a queryable database)",
    ),
  ),
} satisfies Record<(typeof THRESHOLD_KEYS)[number], v.GenericSchema>;

const optional = <S extends v.GenericSchema>(schema: S) => v.exactOptional(schema);

/** The project's keys (after `aws:region`), in the order messages list them. */
const projectEntries = {
  bucketName: optional(bucketNameRules()),
  retentionDays: optional(
    yamlMap(
      Object.fromEntries(
        BACKUP_TYPE_KEYS.map((row) => [row, v.exactOptional(retentionOverride(row))]),
      ) as Record<
        BackupTypeKey,
        v.ExactOptionalSchema<ReturnType<typeof retentionOverride>, undefined>
      >,
      `unknown catalog row; allowed: ${BACKUP_TYPE_KEYS.join(", ")}`,
    ),
  ),
  postgresBackstopDays: optional(countText(1, WHOLE_DAYS)),
  // Renamed with the engine seam; a stack file that still says it learns the new name.
  walgBackstopDays: optional(
    v.never(
      "was renamed postgresBackstopDays (the PostgreSQL engine's lifecycle backstop, whichever engine)",
    ),
  ),
  accessLogRetentionDays: optional(countText(1, WHOLE_DAYS)),
  schedules: optional(
    yamlMap(
      {
        ...(Object.fromEntries(
          SCHEDULE_KEYS.map((name) => [name, v.exactOptional(scheduleOverride(name))]),
        ) as Record<
          ScheduleKey,
          v.ExactOptionalSchema<ReturnType<typeof scheduleOverride>, undefined>
        >),
        wal: v.exactOptional(
          v.never(
            `unknown schedule ('wal' is continuous: archive_timeout sets its RPO); allowed: ${SCHEDULE_KEYS.join(", ")}`,
          ),
        ),
      },
      `unknown schedule; allowed: ${SCHEDULE_KEYS.join(", ")}`,
    ),
  ),
  timezone: optional(
    textWhere(
      (zone) => TIME_ZONES.has(zone),
      "must be an IANA time zone such as UTC or Europe/Berlin",
    ),
  ),
  postgresEngine: optional(
    v.picklist(POSTGRES_ENGINE_KEYS, `must be one of ${POSTGRES_ENGINE_KEYS.join(", ")}`),
  ),
  pgMajorVersion: optional(
    textWhere(
      (text) =>
        /^\d+$/.test(text) &&
        (SUPPORTED_PG_MAJOR_VERSIONS as readonly number[]).includes(Number(text)),
      `must be one of ${SUPPORTED_PG_MAJOR_VERSIONS.join(", ")} (PostgreSQL 12+ restores with recovery.signal)`,
    ),
  ),
  pgData: optional(textWhere(isAbsoluteSafePath, ABSOLUTE_PATH)),
  localBackupRoot: optional(textWhere(isAbsoluteSafePath, ABSOLUTE_PATH)),
  hostTarget: optional(
    yamlMap(
      { tagKey: v.exactOptional(tagText()), tagValue: v.exactOptional(tagText()) },
      "unknown field; allowed: tagKey, tagValue",
    ),
  ),
  // A `secure:` value offline is the placeholder: present, but only `pulumi up` sees the real one.
  alertEmail: optional(
    textWhere(
      (email) =>
        email === OFFLINE_SECRET_PLACEHOLDER ||
        /^[^\s@'"`$\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(email),
      "must be an e-mail address such as devops@stellar-insights.com",
    ),
  ),
  alertHttpsEndpoint: optional(
    textWhere(
      (url) => url === OFFLINE_SECRET_PLACEHOLDER || isHttpsUrl(url),
      "must be an https:// URL (the paging service's SNS endpoint)",
    ),
  ),
  metricNamespace: optional(
    textWhere(
      (ns) => /^[A-Za-z0-9._/#:-]{1,255}$/.test(ns) && !ns.startsWith("AWS/"),
      "must be 1-255 of A-Z a-z 0-9 . _ / # : - and not start with 'AWS/'",
    ),
  ),
  thresholds: optional(
    yamlMap(thresholdEntries, `unknown threshold; allowed: ${THRESHOLD_KEYS.join(", ")}`),
  ),
  postDeployCheck: optional(v.picklist(["true", "false"], "must be true or false")),
  ...durabilityEntries,
};

export const CONFIG_KEYS = Object.keys(projectEntries) as (keyof typeof projectEntries)[];

const fieldsSchema = exactObject(
  {
    [REGION_KEY]: v.pipe(v.string(REGION_MESSAGE), v.regex(AWS_REGION_PATTERN, REGION_MESSAGE)),
    ...projectEntries,
  },
  { unknownField: `unknown config key; allowed: ${CONFIG_KEYS.join(", ")}` },
);
type Fields = v.InferOutput<typeof fieldsSchema>;

function retentionOf(fields: Fields): Record<BackupTypeKey, number> {
  const days = Object.fromEntries(
    BACKUP_TYPE_KEYS.map((row) => [row, BACKUP_TYPES[row].retentionDays]),
  );
  return { ...days, ...fields.retentionDays } as Record<BackupTypeKey, number>;
}

/** The rules that relate keys; each runs when every key it reads passed its own rules. */
const relations = v.rawCheck<Fields>(({ dataset, addIssue }) => {
  // Keys with problems still hold what was written; each rule reads only keys that are `valid`.
  const fields = dataset.value as Fields;
  // A problem at `a` or under `a.b` makes `a.b` unusable here.
  const valid = (...keys: string[]) =>
    !(dataset.issues ?? []).some((issue) => {
      const at = (issue.path ?? []).map((item) => String(item.key));
      const n = Math.min(at.length, keys.length);
      return at.slice(0, n).join("\0") === keys.slice(0, n).join("\0");
    });
  const raw = fields as Record<string, unknown>;

  const retentionValid = valid("retentionDays", "postgres") && valid("retentionDays", "wal");
  const retention = retentionOf(fields);
  if (retentionValid && retention.wal < retention.postgres) {
    addIssue({
      message: `must be at least retentionDays.postgres (${retention.postgres}): a base backup cannot be restored without the WAL written while it was taken`,
      path: [
        pathItem(raw, "retentionDays", raw.retentionDays),
        pathItem({ ...fields.retentionDays }, "wal", retention.wal),
      ],
    });
  }

  const engineDays = postgresRetentionDays(retention);
  const minimumBackstop = engineDays + MIN_POSTGRES_BACKSTOP_MARGIN_DAYS;
  if (
    retentionValid &&
    fields.postgresBackstopDays !== undefined &&
    valid("postgresBackstopDays") &&
    Number(fields.postgresBackstopDays) < minimumBackstop
  ) {
    addIssue({
      message: `must be at least ${minimumBackstop} (the PostgreSQL engine keeps ${engineDays} days; a shorter lifecycle deletes WAL a kept base backup needs)`,
      path: [pathItem(raw, "postgresBackstopDays", fields.postgresBackstopDays)],
    });
  }

  if (fields.alertEmail === undefined && fields.alertHttpsEndpoint === undefined) {
    addIssue({
      message: "set alertEmail and/or alertHttpsEndpoint: failed backups must page someone",
      path: [pathItem(raw, "alertEmail", undefined)],
    });
  }

  for (const problem of durabilityProblems({
    fields: raw,
    valid,
    retentionValid: BACKUP_TYPE_KEYS.every((row) => valid("retentionDays", row)),
    retention,
    region: fields[REGION_KEY],
    bucketName: fields.bucketName ?? DEFAULT_BUCKET_NAME,
  }))
    addIssue(problem);

  const age = fields.thresholds?.backupAgeHours;
  if (age !== undefined && valid("thresholds", "backupAgeHours")) {
    const schedule = parseScheduleExpression(
      fields.schedules?.postgres ?? DEFAULT_SCHEDULES.postgres,
    );
    const gapHours =
      valid("schedules", "postgres") && schedule.ok ? Math.ceil(schedule.maxGapSeconds / 3600) : 1;
    const message = backupAgeMessage(gapHours);
    if (!v.is(mapCount(gapHours, PG_RPO_HOURS, message), age)) {
      addIssue({
        message,
        path: [
          pathItem(raw, "thresholds", raw.thresholds),
          pathItem({ ...fields.thresholds }, "backupAgeHours", age),
        ],
      });
    }
  }
});

function toStackConfig(fields: Fields): StackConfig {
  const retentionDays = retentionOf(fields);
  const pgMajorVersion = Number(fields.pgMajorVersion ?? DEFAULT_PG_MAJOR_VERSION);
  const thresholds = Object.fromEntries(
    Object.entries({ ...DEFAULT_THRESHOLDS, ...fields.thresholds }).map(([key, value]) => [
      key,
      fromNumericText(value),
    ]),
  ) as unknown as Thresholds;
  return {
    region: fields[REGION_KEY],
    bucketName: fields.bucketName ?? DEFAULT_BUCKET_NAME,
    retentionDays,
    postgresBackstopDays:
      fields.postgresBackstopDays === undefined
        ? postgresRetentionDays(retentionDays) + DEFAULT_POSTGRES_BACKSTOP_MARGIN_DAYS
        : Number(fields.postgresBackstopDays),
    accessLogRetentionDays: Number(
      fields.accessLogRetentionDays ?? DEFAULT_ACCESS_LOG_RETENTION_DAYS,
    ),
    schedules: { ...DEFAULT_SCHEDULES, ...withoutWal(fields.schedules) },
    timezone: fields.timezone ?? DEFAULT_TIMEZONE,
    postgresEngine: fields.postgresEngine ?? DEFAULT_POSTGRES_ENGINE,
    pgMajorVersion,
    pgData: fields.pgData ?? defaultPgData(pgMajorVersion),
    localBackupRoot: fields.localBackupRoot ?? DEFAULT_LOCAL_BACKUP_ROOT,
    hostTarget: { ...DEFAULT_HOST_TARGET, ...fields.hostTarget },
    alertEmail: fields.alertEmail,
    alertHttpsEndpoint: fields.alertHttpsEndpoint,
    metricNamespace: fields.metricNamespace ?? DEFAULT_METRIC_NAMESPACE,
    thresholds,
    postDeployCheck: (fields.postDeployCheck ?? "true") === "true",
    ...durabilitySettings(fields, fields.bucketName ?? DEFAULT_BUCKET_NAME),
  };
}

function withoutWal(schedules: Fields["schedules"]): Partial<Record<ScheduleKey, string>> {
  const { wal: _refused, ...rest } = schedules ?? {};
  return rest;
}

/** The stack config's contract: `{ "aws:region", ...project keys }` in, `StackConfig` out. */
export const stackConfigSchema = v.pipe(fieldsSchema, relations, v.transform(toStackConfig));

/**
 * Problems in the order the stack file lists their keys (then, inside a YAML map, the map's order);
 * keys that are absent (a missing paging target) come last.
 */
function inDocumentOrder(
  problems: ConfigProblem[],
  input: Record<string, unknown>,
): ConfigProblem[] {
  const topKeys = Object.keys(input);
  const position = (problem: ConfigProblem): [number, number] => {
    const [top, inner] = problem.key.split(/\.(.*)/s);
    const first = topKeys.indexOf(top);
    let second = -1;
    if (inner !== undefined && typeof input[top] === "string") {
      try {
        const map: unknown = JSON.parse(input[top]);
        if (isPlainObject(map)) second = Object.keys(map).indexOf(inner.split(".")[0]);
      } catch {
        second = -1;
      }
    }
    const absentLast = (i: number) => (i < 0 ? Number.MAX_SAFE_INTEGER : i);
    return [absentLast(first), absentLast(second)];
  };
  return problems
    .map((problem, index) => ({ problem, index, at: position(problem) }))
    .sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1] || a.index - b.index)
    .map(({ problem }) => problem);
}

/**
 * @param raw the project's keys without their namespace
 * @param awsRegion `aws:region`, which the AWS provider reads too
 */
export function validateStackConfig(
  raw: Readonly<Record<string, string>>,
  awsRegion: string | undefined,
): ValidationResult {
  const input: Record<string, unknown> = { [REGION_KEY]: awsRegion, ...raw };
  const result = v.safeParse(stackConfigSchema, input);
  if (result.success) return { ok: true, config: result.output };
  const problems = schemaProblems(result.issues).map(({ path, value, message }) => ({
    key: path,
    value,
    message,
  }));
  return { ok: false, problems: inDocumentOrder(problems, input) };
}
