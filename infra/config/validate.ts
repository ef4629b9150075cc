/**
 * The stack config's one schema: the raw config (key → string, as Pulumi hands it over; YAML maps
 * JSON-encoded) in, a fully defaulted `StackConfig` or the full list of problems out. Every rule
 * runs, so one `pulumi up` shows everything that is wrong, in the order the stack file lists it.
 * Tested without Pulumi; its one read of the disk is a pinned artifact's file (infra/config/pinnedFile.ts).
 *
 * Shape: each key's own rules sit on the key; rules that relate keys (WAL kept as long as base
 * backups, the PostgreSQL engine's lifecycle backstop, a paging target, the standby a backup reads
 * from against the directories and port it shares a host with, the backup-age alarm against the postgres
 * schedule, the health check's schedule against its alarm's window, the engine binary the stack ships) run after, on every key they read that is itself valid; defaults are applied last.
 */
import * as v from "valibot";
import {
  DEFAULT_POSTGRES_ENGINE,
  POSTGRES_ENGINE_KEYS,
  POSTGRES_ENGINES,
  type PostgresEngineDescriptor,
} from "../catalog/engines";
import {
  defaultCipherPassParameter,
  SSM_PARAMETER_NAME_PATTERN,
  SSM_PARAMETER_NAME_RULE,
} from "../catalog/clientSideEncryption";
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
import { HOST_ID_PATTERN, isSafeAbsolutePath, type HostConfig } from "../catalog/hostConfig";
import { exactObject, isPlainObject, keyedMap, list, MAX_DAYS } from "../catalog/schema/parts";
import { hidden } from "../catalog/schema/shownValue";
import { schemaProblems } from "../catalog/schema/problems";
import {
  AWS_REGIONS,
  countText,
  fromNumericText,
  isKnownRegion,
  jsonMap,
  mapCount,
  NOT_A_MAP,
  pathItem,
  s3BucketName,
  yamlMap,
} from "./configParts";
import { backupFromEntry, backupFromOf, backupFromProblems } from "./backupFrom";
import { backupPlanEntry, backupPlanOf, backupPlanProblems } from "./backupPlan";
import { cadenceProblem } from "./cadence";
import { directoryPath, directoryProblems } from "./directoryRules";
import { durabilityEntries, durabilityProblems, durabilitySettings } from "./durability";
import { checkedHostConfig, VALIDATION_STACK } from "./hostConfigCheck";
import { hostsProblems } from "./hostsRules";
import { noHostsProblem } from "./hostsPresence";
import { healthScheduleProblem } from "./healthSchedule";
import { readPinnedFile } from "./pinnedFile";
import { rpoGapProblem } from "./scheduleGap";
import { textProblems } from "./textValues";
import {
  OFFLINE_SECRET_PLACEHOLDER,
  type ConfigProblem,
  type PinnedArtifact,
  type StackConfig,
  type Thresholds,
} from "./stackConfig";

export type ValidationResult =
  | {
      readonly ok: true;
      readonly config: StackConfig;
      /** The host config the stack ships, rendered and checked once (see `checkedHostConfig`). */
      readonly hostConfig: HostConfig;
    }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/**
 * Keys that name where a secret is kept: a value they refuse may be the secret itself, pasted in
 * the wrong place, so problems show only its length.
 */
const NAMES_A_SECRET: readonly string[] = ["clientSideEncryption.cipherPassParameter"];

/** `aws:region` is the AWS provider's key, checked beside the project's own. */
const REGION_KEY = "aws:region";
/** The regions the AWS provider knows (`aws.Region` of @pulumi/aws), not a list of our own. */
const REGION_MESSAGE = `must be an AWS region @pulumi/aws knows (set it with \`pulumi config set aws:region\`): ${AWS_REGIONS.join(", ")}`;
const HOST_ID =
  "must be a host id as in the S3 keys (the host config's hostId, else the short host name): letters, digits, '.', '_' or '-', at most 63";
const hostIdText = () => v.pipe(v.string(HOST_ID), v.regex(HOST_ID_PATTERN, HOST_ID));

/**
 * `hosts`: every database host, by the id its S3 keys carry, each with the hosts whose backups it
 * may read for a restore (one of these hosts). Each gets its own IAM role and instance profile
 * (infra/content/aws/hostPolicy.ts says why a shared role cannot be scoped per host). Ids are
 * unique without regard to case (infra/config/hostsRules.ts).
 */
const hostsEntry = () =>
  v.pipe(
    jsonMap(),
    keyedMap(
      hostIdText(),
      exactObject(
        { restoreFrom: v.exactOptional(list(hostIdText(), true)) },
        {
          notObject: "must be a map (restoreFrom: [host ids]), or {}",
          unknownField: "unknown field; allowed: restoreFrom",
        },
      ),
      NOT_A_MAP,
    ),
    v.rawCheck<Record<string, { restoreFrom?: string[] }>>(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      for (const { host, field, message } of hostsProblems(dataset.value)) {
        const entry = dataset.value[host];
        addIssue({
          message,
          path: [
            pathItem(dataset.value, host, entry),
            ...(field ? [pathItem({ ...entry }, field, entry[field])] : []),
          ],
        });
      }
    }),
  );

/** One string key whose whole rule is a predicate. */
const textWhere = (ok: (text: string) => boolean, message: string) =>
  v.pipe(v.string(message), v.check(ok, message));

/** Day counts stop at the host config's limit (a century), so a huge one fails here, not later. */
const WHOLE_DAYS = `must be a whole number of days from 1 to ${MAX_DAYS}`;
const isDayCount = (days: number) => Number.isInteger(days) && days >= 1 && days <= MAX_DAYS;

function retentionOverride(row: BackupTypeKey) {
  const rpo = BACKUP_TYPES[row].rpoSeconds;
  return v.pipe(
    mapCount(1, MAX_DAYS, WHOLE_DAYS),
    v.check(
      // Judged only once it is a valid number of days: one message per value.
      (days) => !isDayCount(days) || days * 86400 >= rpo,
      `is shorter than the row's RPO (${describeSeconds(rpo)}): the newest backup could expire before the next is taken`,
    ),
  );
}

/**
 * A schedule's own rules: AWS's syntax, and that it keeps firing after `now`. How long it leaves
 * between runs depends on `timezone`, so the RPO is checked with the keys it relates to, below.
 */
function scheduleOverride(name: ScheduleKey, now: Date) {
  return v.pipe(
    v.string("must be a string such as 'cron(0 2 * * ? *)' or 'rate(1 hour)'"),
    v.rawCheck<string>(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const expression = dataset.value;
      const parsed = parseScheduleExpression(expression, { from: now });
      if (!parsed.ok) {
        addIssue({ message: `is not a valid schedule expression: ${parsed.reason}` });
        return;
      }
      if (name === "snapshots" && !expression.startsWith("cron(")) {
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

/** An engine binary's path: absolute, or relative to the Pulumi project, under the host config's path rule. */
function isArtifactPath(path: string): boolean {
  return isSafeAbsolutePath(path.startsWith("/") ? path : `/${path}`);
}

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

/**
 * The pinned release binary an engine's descriptor ships under its own stack key
 * (`artifactConfigKey`): `{ path, sha256 }`.
 */
function engineArtifactEntry(title: string) {
  const pathRule = `must be the ${title} binary's path, absolute or relative to the Pulumi project, without '..', spaces or shell metacharacters`;
  const sha256Rule = `must be the binary's SHA-256 as 64 lower-case hex digits (as ${title}'s release page publishes it)`;
  return optional(
    yamlMap(
      {
        path: textWhere(isArtifactPath, pathRule),
        sha256: textWhere((hash) => /^[0-9a-f]{64}$/.test(hash), sha256Rule),
      },
      "unknown field; allowed: path, sha256",
      { path: pathRule, sha256: sha256Rule },
    ),
  );
}

/** Every engine's artifact key, by the engines' descriptors (an engine that ships none adds none). */
function engineArtifactEntries(): Record<string, ReturnType<typeof engineArtifactEntry>> {
  return Object.fromEntries(
    POSTGRES_ENGINE_KEYS.flatMap((key) => {
      const { artifactConfigKey, title } = POSTGRES_ENGINES[key];
      return artifactConfigKey ? [[artifactConfigKey, engineArtifactEntry(title)]] : [];
    }),
  );
}

/** Stack keys an engine's descriptor retired: a stack file that still says one learns why. */
function retiredEngineKeyEntries(): Record<
  string,
  v.ExactOptionalSchema<v.NeverSchema<string>, undefined>
> {
  return Object.fromEntries(
    POSTGRES_ENGINE_KEYS.flatMap((key) =>
      Object.entries(POSTGRES_ENGINES[key].retiredStackKeys ?? {}).map(([retired, why]) => [
        retired,
        optional(v.never(why)),
      ]),
    ),
  );
}

/** The stack keys that ship an engine's binary, by the engines' descriptors. */
const ENGINE_ARTIFACT_KEYS = Object.keys(engineArtifactEntries());

/** The project's keys (after `aws:region`), in the order messages list them. */
const projectEntries = (now: Date) => ({
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
  postgresBackstopDays: optional(countText(1, MAX_DAYS, WHOLE_DAYS)),
  ...retiredEngineKeyEntries(),
  accessLogRetentionDays: optional(countText(1, MAX_DAYS, WHOLE_DAYS)),
  schedules: optional(
    yamlMap(
      {
        ...(Object.fromEntries(
          SCHEDULE_KEYS.map((name) => [name, v.exactOptional(scheduleOverride(name, now))]),
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
  ...backupPlanEntry,
  ...backupFromEntry,
  pgMajorVersion: optional(
    textWhere(
      (text) =>
        /^\d+$/.test(text) &&
        (SUPPORTED_PG_MAJOR_VERSIONS as readonly number[]).includes(Number(text)),
      `must be one of ${SUPPORTED_PG_MAJOR_VERSIONS.join(", ")} (PostgreSQL 12+ restores with recovery.signal)`,
    ),
  ),
  // The host config's own rules: a path it would refuse on the hosts is refused here.
  pgData: optional(directoryPath()),
  localBackupRoot: optional(directoryPath()),
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
  hosts: optional(hostsEntry()),
  ...engineArtifactEntries(),
  clientSideEncryption: optional(
    yamlMap(
      {
        // A YAML boolean arrives as one; `pulumi config set --path` writes the text.
        enabled: v.exactOptional(
          v.union([v.boolean(), v.picklist(["true", "false"])], "must be true or false"),
        ),
        cipherPassParameter: v.exactOptional(
          textWhere((name) => SSM_PARAMETER_NAME_PATTERN.test(name), SSM_PARAMETER_NAME_RULE),
        ),
      },
      "unknown field; allowed: enabled, cipherPassParameter",
    ),
  ),
  ...durabilityEntries,
});

export const CONFIG_KEYS = Object.keys(projectEntries(new Date(0))) as (keyof ReturnType<
  typeof projectEntries
>)[];

const fieldsSchema = (now: Date) =>
  exactObject(
    {
      [REGION_KEY]: v.pipe(v.string(REGION_MESSAGE), v.check(isKnownRegion, REGION_MESSAGE)),
      ...projectEntries(now),
    },
    { unknownField: `unknown config key; allowed: ${CONFIG_KEYS.join(", ")}` },
  );
type Fields = v.InferOutput<ReturnType<typeof fieldsSchema>>;

function retentionOf(fields: Fields): Record<BackupTypeKey, number> {
  const days = Object.fromEntries(
    BACKUP_TYPE_KEYS.map((row) => [row, BACKUP_TYPES[row].retentionDays]),
  );
  return { ...days, ...fields.retentionDays } as Record<BackupTypeKey, number>;
}

/** The rules that relate keys; each runs when every key it reads passed its own rules. */
const relations = (now: Date) =>
  v.rawCheck<Fields>(({ dataset, addIssue }) => {
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

    const engine = POSTGRES_ENGINES[fields.postgresEngine ?? DEFAULT_POSTGRES_ENGINE];
    for (const key of ENGINE_ARTIFACT_KEYS) {
      if (raw[key] === undefined || !valid("postgresEngine") || engine.artifactConfigKey === key)
        continue;
      const owners = POSTGRES_ENGINE_KEYS.filter(
        (owner) => POSTGRES_ENGINES[owner].artifactConfigKey === key,
      );
      addIssue({
        message: `is only used with postgresEngine: ${owners.join(" or ")} (this stack's engine is ${engine.key}); remove it or switch the engine`,
        path: [pathItem(raw, key, raw[key])],
      });
    }

    // The pinned binary itself, once its path and hash are well-formed: missing or wrong, it is
    // this key's problem, reported with the rest instead of failing while artifacts are built.
    const pinned = engineBinaryOf(fields, engine);
    if (
      pinned !== undefined &&
      engine.artifactConfigKey !== undefined &&
      valid(engine.artifactConfigKey) &&
      valid("postgresEngine")
    ) {
      const read = readPinnedFile(pinned, `${engine.title} binary`);
      if (!read.ok)
        addIssue({
          message: read.message,
          path: [
            pathItem(raw, engine.artifactConfigKey, raw[engine.artifactConfigKey]),
            pathItem({ ...pinned }, read.field, pinned[read.field]),
          ],
        });
    }

    // An engine whose repository encryption is not built is refused: better than shipping WAL in
    // plain text.
    if (
      encryptionEnabled(fields) &&
      valid("clientSideEncryption") &&
      valid("postgresEngine") &&
      engine.repositoryCipherType === undefined
    ) {
      const encrypting = POSTGRES_ENGINE_KEYS.filter(
        (key) => POSTGRES_ENGINES[key].repositoryCipherType !== undefined,
      );
      addIssue({
        message: `is on, but the ${engine.key} engine's repository encryption is not built yet: use postgresEngine ${encrypting.join(" or ")}, or turn clientSideEncryption off`,
        path: [
          pathItem(raw, "clientSideEncryption", raw.clientSideEncryption),
          pathItem(
            { ...fields.clientSideEncryption },
            "enabled",
            fields.clientSideEncryption?.enabled,
          ),
        ],
      });
    }

    if (valid("postgresBackupPlan"))
      for (const problem of backupPlanProblems({
        fields: raw,
        engine: valid("postgresEngine") ? engine : undefined,
        postgresRetentionDays: retentionValid ? engineDays : undefined,
      }))
        addIssue(problem);

    if (valid("postgresBackupFrom"))
      for (const problem of backupFromProblems({ fields: raw, valid })) addIssue(problem);

    for (const problem of durabilityProblems({
      fields: raw,
      valid,
      retentionValid: BACKUP_TYPE_KEYS.every((row) => valid("retentionDays", row)),
      retention,
      region: fields[REGION_KEY],
      bucketName: fields.bucketName ?? DEFAULT_BUCKET_NAME,
    }))
      addIssue(problem);

    for (const problem of directoryProblems(raw, valid)) addIssue(problem);

    const noHosts = valid("hosts") && valid("clientSideEncryption");
    const hostsMessage = noHosts
      ? noHostsProblem(fields.hosts, encryptionEnabled(fields))
      : undefined;
    if (hostsMessage !== undefined)
      addIssue({ message: hostsMessage, path: [pathItem(raw, "hosts", raw.hosts)] });

    // Schedules run in the stack's time zone (DLM's snapshots in UTC): the real gap, daylight
    // saving time included, against each backup row's RPO, the catalog's defaults too.
    const timezone = fields.timezone ?? DEFAULT_TIMEZONE;
    const zoneOf = (name: ScheduleKey) => (name === "snapshots" ? "UTC" : timezone);
    if (valid("timezone")) {
      for (const name of SCHEDULE_KEYS) {
        if (!isBackupTypeKey(name) || !valid("schedules", name)) continue;
        const written = fields.schedules?.[name];
        const expression = written ?? DEFAULT_SCHEDULES[name];
        const message = rpoGapProblem(name, expression, zoneOf(name), now, written === undefined);
        if (message === undefined) continue;
        addIssue({
          message,
          path: [
            pathItem(raw, "schedules", raw.schedules),
            pathItem({ ...fields.schedules }, name, expression),
          ],
        });
      }
    }

    // How often each job may run: derived from its timeout and the rows' RPO and retention.
    const allRetentionValid = BACKUP_TYPE_KEYS.every((row) => valid("retentionDays", row));
    if (valid("timezone")) {
      for (const name of SCHEDULE_KEYS) {
        if (!valid("schedules", name)) continue;
        if ((name === "cleanup" || name === "restoreTest") && !allRetentionValid) continue;
        const expression = fields.schedules?.[name] ?? DEFAULT_SCHEDULES[name];
        const message = cadenceProblem(name, expression, zoneOf(name), retention, now);
        if (message === undefined) continue;
        addIssue({
          message,
          path: [
            pathItem(raw, "schedules", raw.schedules),
            pathItem({ ...fields.schedules }, name, expression),
          ],
        });
      }
    }

    // The health check is watched through its own heartbeats, in a window of 3 hours at most.
    if (valid("timezone") && valid("schedules", "health")) {
      const expression = fields.schedules?.health ?? DEFAULT_SCHEDULES.health;
      const message = healthScheduleProblem(expression, timezone, now);
      if (message !== undefined)
        addIssue({
          message,
          path: [
            pathItem(raw, "schedules", raw.schedules),
            pathItem({ ...fields.schedules }, "health", expression),
          ],
        });
    }

    const age = fields.thresholds?.backupAgeHours;
    if (age !== undefined && valid("thresholds", "backupAgeHours")) {
      const schedule = parseScheduleExpression(
        fields.schedules?.postgres ?? DEFAULT_SCHEDULES.postgres,
        { timezone, from: now },
      );
      const gapHours =
        valid("schedules", "postgres") && valid("timezone") && schedule.ok
          ? Math.ceil(schedule.maxGapSeconds / 3600)
          : 1;
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

function encryptionEnabled(fields: Fields): boolean {
  const enabled = fields.clientSideEncryption?.enabled;
  return enabled === true || enabled === "true";
}

/** The stack's engine's pinned binary, under the stack key its descriptor names; absent: none shipped. */
function engineBinaryOf(
  fields: Fields,
  engine: PostgresEngineDescriptor,
): PinnedArtifact | undefined {
  const key = engine.artifactConfigKey;
  if (key === undefined) return undefined;
  return (fields as Record<string, unknown>)[key] as PinnedArtifact | undefined;
}

function engineBinaryEntry(fields: Fields): Pick<StackConfig, "engineBinary"> {
  const pinned = engineBinaryOf(
    fields,
    POSTGRES_ENGINES[fields.postgresEngine ?? DEFAULT_POSTGRES_ENGINE],
  );
  return pinned ? { engineBinary: { ...pinned } } : {};
}

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
    postgresBackupPlan: backupPlanOf(fields),
    postgresBackupFrom: backupFromOf(fields),
    pgMajorVersion,
    pgData: fields.pgData ?? defaultPgData(pgMajorVersion),
    localBackupRoot: fields.localBackupRoot ?? DEFAULT_LOCAL_BACKUP_ROOT,
    hostTarget: { ...DEFAULT_HOST_TARGET, ...fields.hostTarget },
    alertEmail: fields.alertEmail,
    alertHttpsEndpoint: fields.alertHttpsEndpoint,
    metricNamespace: fields.metricNamespace ?? DEFAULT_METRIC_NAMESPACE,
    thresholds,
    postDeployCheck: (fields.postDeployCheck ?? "true") === "true",
    ...engineBinaryEntry(fields),
    hosts: Object.fromEntries(
      Object.entries(fields.hosts ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([host, entry]) => [
          host,
          { restoreFrom: [...new Set(entry.restoreFrom ?? [])].sort() },
        ]),
    ),
    clientSideEncryption: {
      enabled: encryptionEnabled(fields),
      cipherPassParameter:
        fields.clientSideEncryption?.cipherPassParameter ??
        defaultCipherPassParameter(fields.bucketName ?? DEFAULT_BUCKET_NAME),
    },
    ...durabilitySettings(fields, fields.bucketName ?? DEFAULT_BUCKET_NAME),
  };
}

function withoutWal(schedules: Fields["schedules"]): Partial<Record<ScheduleKey, string>> {
  const { wal: _refused, ...rest } = schedules ?? {};
  return rest;
}

/**
 * The stack config's contract: `{ "aws:region", ...project keys }` in, `StackConfig` out.
 * @param now where schedules start to be simulated (a year range in the past never fires)
 */
export const stackConfigSchema = (now: Date) =>
  v.pipe(fieldsSchema(now), relations(now), v.transform(toStackConfig));

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

export interface ValidationOptions {
  /** Start of the simulated schedule runs; default now. */
  readonly now?: Date;
  /** The stack whose host config is rendered (its `stack` field); default `VALIDATION_STACK`. */
  readonly stack?: string;
}

/**
 * Every rule of the stack config, then the host config's rules on the host config this stack
 * would render: all before a single resource is registered.
 *
 * @param raw the project's keys without their namespace
 * @param awsRegion `aws:region`, which the AWS provider reads too
 */
export function validateStackConfig(
  raw: Readonly<Record<string, string>>,
  awsRegion: string | undefined,
  options: ValidationOptions = {},
): ValidationResult {
  const input: Record<string, unknown> = { [REGION_KEY]: awsRegion, ...raw };
  const textual = textProblems(input);
  // A value refused as text (empty, padded) gets that one message, not every rule it then breaks.
  const refused = new Set(textual.map((p) => p.key));
  const result = v.safeParse(stackConfigSchema(options.now ?? new Date()), input);
  if (result.success && textual.length === 0) {
    const onHosts = checkedHostConfig(options.stack ?? VALIDATION_STACK, result.output);
    return onHosts.ok
      ? { ok: true, config: result.output, hostConfig: onHosts.host }
      : { ok: false, problems: onHosts.problems };
  }
  const problems = result.success
    ? []
    : schemaProblems(result.issues)
        .map(({ path, value, message }) => ({ key: path, value, message }))
        .filter((p) => ![...refused].some((k) => p.key === k || p.key.startsWith(`${k}.`)));
  return {
    ok: false,
    problems: inDocumentOrder([...textual, ...problems], input).map((p) =>
      NAMES_A_SECRET.includes(p.key) ? { ...p, value: hidden(p.value) } : p,
    ),
  };
}
