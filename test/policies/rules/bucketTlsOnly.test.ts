/**
 * `backup-bucket-tls-only` (policies/rules/bucketTlsOnly.ts): the prod plan broken in the ways it
 * guards against.
 */
import { editJson, onBucket, remove } from "../fixtures/plans";
import {
  T,
  BACKUPS,
  ACCESS_LOGS,
  REPLICA,
  describeMutations,
  type Case,
} from "../support/mutations";

export const cases: Case[] = [
  {
    title: "the TLS denial loses its SecureTransport condition",
    fails: ["backup-bucket-tls-only"],
    says: "does not deny s3:* without TLS",
    mutate: (p) =>
      editJson(
        onBucket(p, T.bucketPolicy, BACKUPS),
        "policy",
        (doc) => delete doc.Statement[0].Condition,
      ),
  },
  {
    title: "the TLS denial covers the bucket but not its objects",
    fails: ["backup-bucket-tls-only"],
    says: "on its objects",
    mutate: (p) =>
      editJson(onBucket(p, T.bucketPolicy, BACKUPS), "policy", (doc) => {
        doc.Statement[0].Resource = doc.Statement[0].Resource.filter(
          (r: string) => !r.endsWith("/*"),
        );
      }),
  },
  {
    title: "the backup bucket's policy is removed",
    fails: ["backup-bucket-tls-only"],
    says: "has no bucket policy",
    mutate: (p) => remove(p, onBucket(p, T.bucketPolicy, BACKUPS)),
  },
  {
    title: "the access-log bucket's policy drops its TLS denial",
    fails: ["backup-bucket-tls-only"],
    says: "access-logs bucket",
    mutate: (p) =>
      editJson(onBucket(p, T.bucketPolicy, ACCESS_LOGS), "policy", (doc) => {
        doc.Statement = doc.Statement.filter((s: { Effect: string }) => s.Effect !== "Deny");
      }),
  },
  {
    title: "the replica's bucket policy loses its TLS-only statement",
    fails: ["backup-bucket-tls-only"],
    says: "bucket policy of replica bucket 'stellar-insights-backups-replica' does not deny s3:* without TLS",
    mutate: (p) =>
      editJson(onBucket(p, T.bucketPolicy, REPLICA), "policy", (doc) => (doc.Statement = [])),
  },
];

describeMutations(cases);
