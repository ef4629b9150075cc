import type {
  BucketReplicationProps,
  ReplicationDestinationProps,
  ReplicationRuleProps,
} from "../lib/awsProps";
import {
  backupBucketsOrNotApplicable,
  bucketsWithRole,
  configures,
  describeBucket,
  type BucketView,
} from "../lib/buckets";
import { BucketRole } from "../lib/catalog";
import { stackPolicy } from "../lib/define";
import { isUnknown, list, record, text } from "../lib/known";
import type { ViewResource } from "../lib/stackView";

/** Whether a rule's destination is `replica` (S3 takes the bucket's ARN there). */
function targets(destination: ReplicationDestinationProps | undefined, replica: BucketView) {
  const arn = text(destination?.bucket);
  if (isUnknown(arn) || isUnknown(replica.bucketName)) return true;
  return typeof arn === "string" && arn.endsWith(`:::${String(replica.bucketName)}`);
}

/** Why a rule would not keep the replica complete and undeletable; [] when it would. */
function ruleProblems(rule: ReplicationRuleProps): string[] {
  const problems: string[] = [];
  const status = (value: unknown) => record(value)?.status;
  if (!isUnknown(rule.status) && rule.status !== "Enabled")
    problems.push(`is ${JSON.stringify(rule.status ?? "not set")}, not Enabled`);
  const deleteMarkers = status(rule.deleteMarkerReplication);
  if (!isUnknown(deleteMarkers) && deleteMarkers !== "Disabled")
    problems.push("replicates delete markers: a delete on the primary would hide the copies too");
  const kms = status(record(rule.sourceSelectionCriteria)?.sseKmsEncryptedObjects);
  if (!isUnknown(kms) && kms !== "Enabled")
    problems.push(
      "skips SSE-KMS objects (sourceSelectionCriteria.sseKmsEncryptedObjects not Enabled), i.e. every backup",
    );
  const destination = record(rule.destination) as ReplicationDestinationProps | undefined;
  const key = text(record(destination?.encryptionConfiguration)?.replicaKmsKeyId);
  if (key === undefined)
    problems.push("names no replica KMS key (destination.encryptionConfiguration.replicaKmsKeyId)");
  return problems;
}

export const replicationConfigured = stackPolicy({
  name: "backup-replication-configured",
  description:
    "When the stack has a replica bucket, the backup bucket replicates into it with an enabled rule that " +
    "copies SSE-KMS objects (S3 skips them otherwise), re-encrypts them with the replica's own key and does " +
    "not replicate delete markers: a region's loss or a delete on the primary leaves the copy whole.",
  validate: (view, args, report) => {
    const replicas = bucketsWithRole(view, BucketRole.replica);
    if (replicas.length === 0) args.notApplicable("the stack has no replica bucket");
    const sources = backupBucketsOrNotApplicable(view, args);
    const configurations: ViewResource[] = view
      .ofKind("bucketReplication")
      .filter((c) => sources.some((source) => configures(c, source)));
    for (const replica of replicas) {
      const rules = configurations.flatMap((c) =>
        list((c.props as BucketReplicationProps).rules).map((rule) => ({
          configuration: c,
          rule: (record(rule) ?? {}) as ReplicationRuleProps,
        })),
      );
      const into = rules.filter(({ rule }) =>
        targets(record(rule.destination) as ReplicationDestinationProps | undefined, replica),
      );
      if (into.length === 0) {
        report(
          `no replication rule of the backup bucket copies into ${describeBucket(replica)}`,
          replica.resource.urn,
        );
        continue;
      }
      for (const { configuration, rule } of into) {
        const id = typeof rule.id === "string" ? `'${rule.id}' ` : "";
        for (const problem of ruleProblems(rule))
          report(
            `replication rule ${id}into ${describeBucket(replica)} ${problem}`,
            configuration.resource.urn,
          );
      }
    }
  },
});
