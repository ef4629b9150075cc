/**
 * Which Allow statements reach more than one host's backups: the catalog's S3 rows keep every
 * host's objects under `<row prefix><host>/` (`configs/db-1/…`), and a host may reach only its own
 * (otherwise any host could write any host's prefix). A grant is across hosts when its object ARN
 * or its `s3:prefix` value is a pattern that matches keys of two different hosts, e.g. `configs/`
 * or `c` followed by `*`, or a `*` in place of the host; `configs/db-1/` followed by `*` matches
 * one host only. Read-only grants of
 * a named other host (a restore source) are fine: they name one host.
 *
 * IAM matches `*` as any run of characters and `?` as one; a `${…}` policy variable is taken as the
 * widest value it could have.
 */
import { BACKUP_TYPE_KEYS, BACKUP_TYPES } from "../../infra/catalog";
import type { Statement } from "./policyDocument";

/** The rows' S3 prefixes that hold per-host keys (`configs/`, `logs/`, `postgres/`, `redis/`). */
export function perHostPrefixes(): string[] {
  const prefixes = BACKUP_TYPE_KEYS.flatMap((k) => {
    const s3 = BACKUP_TYPES[k].s3;
    return s3 ? [s3.prefix] : [];
  });
  return [...new Set(prefixes)].sort();
}

/**
 * The row prefix under which `keyPattern` reaches more than one host, or undefined when it names
 * one host (or none). The pattern's literal start (up to its first `*`, `?` or `${`) decides: a
 * wildcard before the host segment ends (`configs/` + `*`, `c` + `*`, `postgres/db-1` + `*`, which
 * also matches `db-10`) reaches every host whose id fits; a literal `<prefix><host>/` does not.
 */
export function crossHostPrefix(keyPattern: string): string | undefined {
  const wildcard = keyPattern.search(/[*?]|\$\{/);
  if (wildcard < 0) return undefined;
  const literal = keyPattern.slice(0, wildcard);
  return perHostPrefixes().find((prefix) => {
    if (prefix.startsWith(literal)) return true;
    return literal.startsWith(prefix) && !literal.slice(prefix.length).includes("/");
  });
}

function objectKeyPattern(resource: string): string | undefined {
  const m = /^arn:[^:]+:s3:::[^/]+\/(.*)$/.exec(resource);
  return m?.[1];
}

function prefixConditionValues(condition: Record<string, unknown>): string[] {
  const values: string[] = [];
  for (const operands of Object.values(condition)) {
    if (typeof operands !== "object" || operands === null) continue;
    for (const [key, value] of Object.entries(operands)) {
      if (key.toLowerCase() !== "s3:prefix") continue;
      for (const v of [value].flat()) if (typeof v === "string") values.push(v);
    }
  }
  return values;
}

/**
 * The permissions S3 replication needs on the whole bucket (Amazon S3 User Guide, "Setting up
 * permissions for live replication"): replication-only ones (`...ForReplication`, `Replicate*`) that
 * no API call a host makes is authorized by, and metadata reads (ACL, tags, retention, legal hold)
 * that return no object data. They never count as a cross-host grant.
 */
const REPLICATION_ONLY_ACTIONS = new Set(
  [
    "s3:GetObjectVersionForReplication",
    "s3:GetObjectVersionAcl",
    "s3:GetObjectVersionTagging",
    "s3:GetObjectRetention",
    "s3:GetObjectLegalHold",
    "s3:ReplicateObject",
    "s3:ReplicateTags",
    "s3:ReplicateDelete",
    "s3:ObjectOwnerOverrideToBucketOwner",
  ].map((a) => a.toLowerCase()),
);

/**
 * One message per S3 grant in `statements` that reaches every host's objects under a row prefix;
 * statements of replication-only permissions (`REPLICATION_ONLY_ACTIONS`) are S3's, not a host's.
 */
export function crossHostGrants(statements: readonly Statement[]): string[] {
  const problems: string[] = [];
  for (const s of statements) {
    if (s.effect !== "Allow") continue;
    const s3Actions = s.actions
      .filter((a) => /^(s3|\*)(:|$)/i.test(a))
      .filter((a) => !REPLICATION_ONLY_ACTIONS.has(a.toLowerCase()));
    if (s3Actions.length === 0) continue;
    for (const resource of s.resources) {
      const key = objectKeyPattern(resource);
      const prefix = key === undefined ? undefined : crossHostPrefix(key);
      if (prefix !== undefined)
        problems.push(
          `statement ${s.label} allows ${s3Actions.join(", ")} on '${resource}', every host's '${prefix}<host>/' objects; name the host: '${prefix}<host>/*'`,
        );
    }
    for (const value of prefixConditionValues(s.condition)) {
      const prefix = crossHostPrefix(value);
      if (prefix !== undefined)
        problems.push(
          `statement ${s.label} lets ${s3Actions.join(", ")} list s3:prefix '${value}', every host's '${prefix}<host>/' keys; name the host: '${prefix}<host>/*'`,
        );
    }
  }
  return problems;
}
