/**
 * The stack config keys of the bucket's durability options: `objectLock` (S3 Object Lock's default
 * retention) and `replication` (a copy in a second region). Each key's own rules sit on the key;
 * `durabilityProblems` relates them to the keys they depend on (the retention of every row kept in
 * the bucket, the primary region and bucket). Pure: tested through `validateStackConfig`.
 */
import * as v from "valibot";
import {
  OBJECT_LOCK_MODES,
  REPLICA_BUCKET_SUFFIX,
  maxLockDays,
  type BackupTypeKey,
  type ObjectLockSettings,
  type ReplicationSettings,
} from "../catalog";
import { MAX_DAYS } from "../catalog/schema/parts";
import { isKnownRegion, mapCount, pathItem, s3BucketName, yamlMap } from "./configParts";

const LOCK_MODE_MESSAGE = `must be one of ${OBJECT_LOCK_MODES.join(", ")}`;
const LOCK_DAYS_MESSAGE =
  "must be a whole number of days from 1 to the shortest retention of a row kept in the bucket";

/** The lock's allowed range, named by the row whose retention ends it (see `maxLockDays`). */
const lockDaysMessage = (limit: { readonly days: number; readonly row: string }) =>
  `must be a whole number of days from 1 to ${limit.days} (retentionDays.${limit.row}, the shortest retention of a row kept in the bucket: a longer lock keeps that row's objects past its retention)`;
const REPLICA_REGION_MESSAGE = "must be an AWS region @pulumi/aws knows, such as us-west-2";
const RTC_MESSAGE = "must be true or false";

/** `true`/`false` in a YAML map, written as a boolean or as text. */
const yamlFlag = () =>
  v.pipe(
    v.unknown(),
    v.transform((value) => (value === "true" ? true : value === "false" ? false : value)),
    v.boolean(RTC_MESSAGE),
  );

/** The two keys, spread into the stack config's schema after the project's other keys. */
export const durabilityEntries = {
  objectLock: v.exactOptional(
    yamlMap(
      {
        mode: v.picklist(OBJECT_LOCK_MODES, LOCK_MODE_MESSAGE),
        // Its range ends at the shortest retention of a row kept in the bucket: checked with the
        // retention it relates to, in durabilityProblems.
        retentionDays: v.unknown(),
      },
      "unknown field; allowed: mode, retentionDays",
      { mode: LOCK_MODE_MESSAGE, retentionDays: LOCK_DAYS_MESSAGE },
    ),
  ),
  replication: v.exactOptional(
    yamlMap(
      {
        region: v.pipe(
          v.string(REPLICA_REGION_MESSAGE),
          v.check(isKnownRegion, REPLICA_REGION_MESSAGE),
        ),
        bucketName: v.exactOptional(s3BucketName(63, "must be 3-63 characters")),
        replicationTimeControl: v.exactOptional(yamlFlag()),
      },
      "unknown field; allowed: region, bucketName, replicationTimeControl",
      { region: REPLICA_REGION_MESSAGE },
    ),
  ),
};

type DurabilityFields = {
  readonly objectLock?: { readonly mode: string; readonly retentionDays: unknown };
  readonly replication?: {
    readonly region: string;
    readonly bucketName?: string;
    readonly replicationTimeControl?: unknown;
  };
};

export interface DurabilityProblem {
  readonly message: string;
  readonly path: [v.IssuePathItem, ...v.IssuePathItem[]];
}

/**
 * The rules that relate the two keys to others; each runs only on keys that passed their own rules
 * (`valid`). A lock of less than a day or longer than the shortest retention of a row kept in the
 * bucket is refused with that range (`maxLockDays` says why); the replica may share neither the primary's region nor its name.
 */
export function durabilityProblems(args: {
  readonly fields: DurabilityFields & Record<string, unknown>;
  readonly valid: (...keys: string[]) => boolean;
  readonly retentionValid: boolean;
  readonly retention: Readonly<Record<BackupTypeKey, number>>;
  readonly region: unknown;
  readonly bucketName: string;
}): DurabilityProblem[] {
  const { fields, valid } = args;
  const problems: DurabilityProblem[] = [];
  const lock = fields.objectLock;
  if (lock !== undefined && valid("objectLock", "retentionDays")) {
    // With retentionDays itself broken, only the host config's century is known.
    const message = args.retentionValid
      ? lockDaysMessage(maxLockDays(args.retention))
      : `must be a whole number of days from 1 to ${MAX_DAYS} (at most the shortest retention of a row kept in the bucket, once retentionDays is valid)`;
    const limit = args.retentionValid ? maxLockDays(args.retention).days : MAX_DAYS;
    if (!v.is(mapCount(1, limit, message), lock.retentionDays)) {
      problems.push({
        message,
        path: [
          pathItem(fields, "objectLock", fields.objectLock),
          pathItem({ ...lock }, "retentionDays", lock.retentionDays),
        ],
      });
    }
  }
  const replication = fields.replication;
  if (replication !== undefined && valid("replication", "region") && valid("aws:region")) {
    if (replication.region === args.region) {
      problems.push({
        message: `must differ from aws:region (${String(args.region)}): a copy in the same region is lost with it`,
        path: [
          pathItem(fields, "replication", fields.replication),
          pathItem({ ...replication }, "region", replication.region),
        ],
      });
    }
  }
  if (
    replication?.bucketName !== undefined &&
    valid("replication", "bucketName") &&
    replication.bucketName === args.bucketName
  ) {
    problems.push({
      message: "must differ from bucketName: S3 bucket names are global",
      path: [
        pathItem(fields, "replication", fields.replication),
        pathItem({ ...replication }, "bucketName", replication.bucketName),
      ],
    });
  }
  return problems;
}

/** The two options, defaulted; absent keys stay absent (the option is off). */
export function durabilitySettings(
  fields: DurabilityFields,
  bucketName: string,
): { objectLock?: ObjectLockSettings; replication?: ReplicationSettings } {
  const lock = fields.objectLock;
  const replication = fields.replication;
  return {
    ...(lock === undefined
      ? {}
      : {
          objectLock: {
            mode: lock.mode as ObjectLockSettings["mode"],
            retentionDays: Number(lock.retentionDays),
          },
        }),
    ...(replication === undefined
      ? {}
      : {
          replication: {
            region: replication.region,
            bucketName: replication.bucketName ?? `${bucketName}${REPLICA_BUCKET_SUFFIX}`,
            replicationTimeControl: replication.replicationTimeControl === true,
          },
        }),
  };
}
