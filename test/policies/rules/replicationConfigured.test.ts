/**
 * `backup-replication-configured` (policies/rules/replicationConfigured.ts): the prod plan broken
 * in the ways it guards against.
 */
import { onBucket, remove, type MutablePlan } from "../fixtures/plans";
import { T, BACKUPS, describeMutations, type Case } from "../support/mutations";

/** The one rule of the backup bucket's replication configuration. */
function replicationRule(plan: MutablePlan) {
  return onBucket(plan, T.replication, BACKUPS).inputs.rules[0];
}

export const cases: Case[] = [
  {
    title: "replication copies delete markers",
    fails: ["backup-replication-configured"],
    says: "replicates delete markers",
    mutate: (p) => (replicationRule(p).deleteMarkerReplication.status = "Enabled"),
  },
  {
    title: "replication skips SSE-KMS objects",
    fails: ["backup-replication-configured"],
    says: "skips SSE-KMS objects",
    mutate: (p) =>
      (replicationRule(p).sourceSelectionCriteria.sseKmsEncryptedObjects.status = "Disabled"),
  },
  {
    title: "replication names no replica key",
    fails: ["backup-replication-configured"],
    says: "names no replica KMS key",
    mutate: (p) => delete replicationRule(p).destination.encryptionConfiguration,
  },
  {
    title: "the replication configuration is removed",
    fails: ["backup-replication-configured"],
    says: "no replication rule of the backup bucket copies into replica bucket 'stellar-insights-backups-replica'",
    mutate: (p) => remove(p, onBucket(p, T.replication, BACKUPS)),
  },
];

describeMutations(cases);
