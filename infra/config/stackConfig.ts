/**
 * The validated, fully defaulted stack configuration. Pure module: no Pulumi import.
 */
import type { BackupTypeKey, HostTarget, ScheduleKey, Thresholds } from "../catalog";
import type { ObjectLockSettings, ReplicationSettings } from "../catalog";
import type { BackupPlan } from "../catalog/backupPlan";
import type { PostgresEngineKey } from "../catalog/engines";
import type { BackupFromSetting } from "./backupFrom";
import { showValue } from "../catalog/schema/shownValue";

/** Defined with their defaults in the catalog; re-exported because they are the config's shapes. */
export type { HostTarget, Thresholds };

/**
 * What offline synth puts where the stack file holds a `secure:` value it cannot decrypt. Format
 * checks skip it; `pulumi up` checks the real value.
 */
export const OFFLINE_SECRET_PLACEHOLDER = "[secret: not decrypted offline]";

export interface StackConfig {
  /** AWS region (`aws:region`), where the bucket and everything else live. */
  readonly region: string;
  readonly bucketName: string;
  /** Days each row is kept (snapshots too, in days: 28 = the runbook's 4 weeks). */
  readonly retentionDays: Readonly<Record<BackupTypeKey, number>>;
  /** Days after which the S3 lifecycle backstop removes objects the PostgreSQL engine failed to delete. */
  readonly postgresBackstopDays: number;
  /** Days the bucket's server access logs are kept. */
  readonly accessLogRetentionDays: number;
  readonly schedules: Readonly<Record<ScheduleKey, string>>;
  /** IANA time zone the schedules are read in. */
  readonly timezone: string;
  /** The tool that archives WAL and takes PostgreSQL base backups (infra/catalog/engines/). */
  readonly postgresEngine: PostgresEngineKey;
  /** Which kind of backup each scheduled pg-backup run takes (default: the runbook's daily full). */
  readonly postgresBackupPlan: BackupPlan;
  /** Which cluster pg-backup reads the data files from (default: the primary). */
  readonly postgresBackupFrom: BackupFromSetting;
  readonly pgMajorVersion: number;
  readonly pgData: string;
  /** Root of the local copies the runbook keeps (`/var/backups`). */
  readonly localBackupRoot: string;
  readonly hostTarget: HostTarget;
  readonly alertEmail?: string;
  readonly alertHttpsEndpoint?: string;
  readonly metricNamespace: string;
  readonly thresholds: Thresholds;
  /**
   * Client-side encryption of what leaves the hosts (Redis dumps and config archives under the
   * backup key through the AWS Encryption SDK, the PostgreSQL engine's repository cipher).
   */
  readonly clientSideEncryption: ClientSideEncryptionConfig;
  /** Run the verification job on the hosts through SSM after every update, and fail the update if it fails. */
  readonly postDeployCheck: boolean;
  /**
   * The PostgreSQL engine's release binary, shipped to the hosts as a content-addressed artifact
   * and installed at the engine's binary path by the install document: `path` (absolute, or
   * relative to the Pulumi project) and its published SHA-256. Set under the stack key the
   * engine's descriptor names (`artifactConfigKey`), only for an engine that has one.
   */
  readonly engineBinary?: PinnedArtifact;
  /**
   * The database hosts by the id their S3 keys carry, sorted; each gets an IAM role and instance
   * profile of its own that reaches only its own prefixes, plus read access to `restoreFrom`'s.
   */
  readonly hosts: Readonly<Record<string, HostAccessEntry>>;
  /** S3 Object Lock's default retention on the backup bucket (and its replica); absent: no lock. */
  readonly objectLock?: ObjectLockSettings;
  /** A copy of the backup bucket in a second region; absent: no replica. */
  readonly replication?: ReplicationSettings;
}

/** A file the stack uploads for the hosts, pinned by its SHA-256 (lower-case hex). */
export interface PinnedArtifact {
  readonly path: string;
  readonly sha256: string;
}

export interface HostAccessEntry {
  /** Hosts whose backups this host may read for a restore (`SourceHost`), sorted, deduplicated. */
  readonly restoreFrom: readonly string[];
}

export interface ClientSideEncryptionConfig {
  readonly enabled: boolean;
  /**
   * The SSM SecureString parameter, created by the operator, that holds the PostgreSQL repository
   * passphrase (default: `defaultCipherPassParameter(bucketName)`). The stack only names it.
   */
  readonly cipherPassParameter: string;
}

/** One thing wrong with the stack config: which key, what it held, and what is allowed. */
export interface ConfigProblem {
  readonly key: string;
  /** As written; a `HiddenValue` where it holds, or may hold, a secret. */
  readonly value: unknown;
  readonly message: string;
}

export class StackConfigError extends Error {
  constructor(
    readonly project: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(formatProblems(project, problems));
    this.name = "StackConfigError";
  }
}

/** The report: one line per problem, every value shown by `showValue` (escaped; secrets hidden). */
export function formatProblems(project: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => {
    const key = p.key.includes(":") ? p.key : `${project}:${p.key}`;
    return `  - ${key} = ${showValue(p.value)}: ${p.message}`;
  });
  return [`stack config has ${problems.length} problem(s); nothing was deployed:`, ...lines].join(
    "\n",
  );
}
