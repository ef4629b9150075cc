/**
 * S3 lifecycle rules derived from the catalog and the validated stack config. Pure.
 */
import { BACKUP_TYPE_KEYS, BACKUP_TYPES, POSTGRES_PREFIX, type BackupTypeKey } from "../../catalog";
import { ARTIFACTS_PREFIX } from "./hostPolicy";

/** Days an overwritten or deleted object version stays recoverable before S3 removes it. */
export const NONCURRENT_VERSION_DAYS = 7;
/** The PostgreSQL engine uploads base backups in parts over hours; a part-upload older than this is abandoned. */
export const ABORT_MULTIPART_DAYS = 3;
/** Rule id of the PostgreSQL engine's backstop (covers the `postgres` and `wal` rows). */
export const POSTGRES_BACKSTOP_RULE_ID = "postgres-engine-backstop";
/** Rule id of the host artifacts' noncurrent versions (the current ones are pinned by manifests). */
export const ARTIFACTS_RULE_ID = "artifacts-noncurrent-versions";

export interface LifecycleRule {
  readonly id: string;
  readonly status: "Enabled";
  readonly filter: { readonly prefix: string };
  /** Absent where current objects must stay (content-addressed artifacts a manifest may pin). */
  readonly expiration?: { readonly days: number };
  readonly noncurrentVersionExpiration: { readonly noncurrentDays: number };
  readonly abortIncompleteMultipartUpload: { readonly daysAfterInitiation: number };
  /** Catalog rows this rule keeps (not sent to AWS; for tests, policies and the README). */
  readonly rows: readonly BackupTypeKey[];
}

export interface LifecycleInputs {
  readonly retentionDays: Readonly<Record<BackupTypeKey, number>>;
  readonly postgresBackstopDays: number;
}

function rule(id: string, prefix: string, days: number, rows: BackupTypeKey[]): LifecycleRule {
  return {
    id,
    status: "Enabled",
    filter: { prefix },
    expiration: { days },
    noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
    abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
    rows,
  };
}

/**
 * One rule per S3 prefix, sorted by id: each catalog row's, the PostgreSQL engine's backstop, and the artifacts'
 * noncurrent versions.
 *
 * The PostgreSQL engine's prefix is special: the engine's expire owns its retention because only the engine knows which WAL
 * segments a kept base backup still needs. An S3 expiration of, say, 30 days on `wal_005/` would
 * delete WAL that the oldest kept base backup (also about 30 days old) replays, and that backup's
 * point-in-time recovery would break silently. So the lifecycle there is only a backstop, longer
 * than the engine's window, for objects the engine failed to delete.
 */
export function lifecycleRules(inputs: LifecycleInputs): LifecycleRule[] {
  const rules: LifecycleRule[] = [];
  const engineRows: BackupTypeKey[] = [];
  for (const key of BACKUP_TYPE_KEYS) {
    const row = BACKUP_TYPES[key];
    if (row.s3 === undefined) continue;
    if (row.retentionOwner === "engine") {
      engineRows.push(key);
      continue;
    }
    rules.push(rule(`${key}-retention`, row.s3.prefix, inputs.retentionDays[key], [key]));
  }
  if (engineRows.length > 0) {
    rules.push(
      rule(POSTGRES_BACKSTOP_RULE_ID, POSTGRES_PREFIX, inputs.postgresBackstopDays, engineRows),
    );
  }
  // Artifacts are content-addressed and every upload of a changed host config or bundle leaves
  // the old object's versions behind; without this they would be kept forever. Current objects
  // never expire: an install names them through its manifest, whatever their age.
  const { expiration: _none, ...noncurrentOnly } = rule(ARTIFACTS_RULE_ID, ARTIFACTS_PREFIX, 0, []);
  rules.push(noncurrentOnly);
  return rules.sort((a, b) => a.id.localeCompare(b.id));
}

/** The rules as `aws.s3.BucketLifecycleConfiguration` takes them (without the `rows` note). */
export function toAwsLifecycleRules(rules: readonly LifecycleRule[]) {
  return rules.map(({ rows: _rows, ...awsRule }) => awsRule);
}
