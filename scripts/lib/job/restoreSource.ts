/**
 * Where a restore reads its backups: the backup bucket (`primary`, the default) or its copy in a
 * second region (`replica`, stack config `replication`), for when the primary's region is down.
 * The replica is only ever read.
 */
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import type { RestoreSource } from "../../../infra/catalog/jobParameters";

export { RESTORE_SOURCES, type RestoreSource } from "../../../infra/catalog/jobParameters";

/** A bucket by name and region: the engines point their S3 repository at it. */
export interface SourceBucket {
  readonly name: string;
  readonly region: string;
}

/**
 * The host config as a restore from `source` sees it: for the replica, its bucket and region, and
 * no KMS key ARN (the replica's objects carry their own key, which S3 reads for them; nothing is
 * written there). Throws when the host config names no replica: the caller has checked `SOURCE`.
 */
export function configAt(config: HostConfig, source: RestoreSource): HostConfig {
  if (source === "primary") return config;
  if (config.replica === undefined)
    throw new Error("the host config names no replica; check SOURCE before reading from it");
  const { kmsKeyArn: _primaryKey, ...rest } = config;
  return { ...rest, bucket: config.replica.bucket, region: config.replica.region };
}

/** The replica's bucket, or undefined for the primary (the engine's own configuration). */
export function sourceBucket(config: HostConfig, source: RestoreSource): SourceBucket | undefined {
  if (source === "primary") return undefined;
  const at = configAt(config, source);
  return { name: at.bucket, region: at.region };
}
