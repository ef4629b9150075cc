/**
 * Buckets and the separate bucket-level resources (@pulumi/aws v7: versioning, encryption, public
 * access block, policy, logging, lifecycle) that configure them.
 *
 * A bucket-level resource names its bucket in `bucket`, the bucket's name, which is also the
 * bucket's id. During a first preview that id is unknown, so the join falls back to the resource's
 * property dependencies: its `bucket` input was computed from that bucket.
 */
import { BUCKET_ROLE_TAG, BucketRole } from "./catalog";
import type { AwsKind } from "./awsTypes";
import { isUnknown, record, text, type Field } from "./known";
import type { BucketProps } from "./awsProps";
import type { StackView, ViewResource } from "./stackView";

export interface BucketView extends ViewResource {
  /** The bucket's name (`bucket`), `UNKNOWN` while it is computed, undefined if unnamed. */
  readonly bucketName: Field<string> | undefined;
  /** Value of the role tag, if any. */
  readonly role: string | undefined;
}

export function buckets(view: StackView): BucketView[] {
  return view.ofKind("bucket").map((r) => {
    const props = r.props as BucketProps;
    const role = record(props.tags)?.[BUCKET_ROLE_TAG];
    return {
      ...r,
      bucketName: text(props.bucket),
      role: typeof role === "string" ? role : undefined,
    };
  });
}

export function bucketsWithRole(view: StackView, role: string): BucketView[] {
  return buckets(view).filter((b) => b.role === role);
}

/** How a person recognises a bucket in a message. */
export function describeBucket(bucket: BucketView): string {
  const name =
    typeof bucket.bucketName === "string" ? bucket.bucketName : "(name known after deploy)";
  return bucket.role ? `${bucket.role} bucket '${name}'` : `bucket '${name}'`;
}

export function configures(resource: ViewResource, bucket: BucketView): boolean {
  const target = text(resource.props.bucket);
  if (typeof target === "string" && typeof bucket.bucketName === "string")
    return target === bucket.bucketName;
  if (isUnknown(target) || isUnknown(bucket.bucketName)) {
    const dependencies = resource.resource.propertyDependencies?.bucket ?? [];
    return dependencies.some((d) => d.urn === bucket.resource.urn);
  }
  return false;
}

/** The resources of one bucket-level kind that configure `bucket`. */
export function attachedTo(view: StackView, bucket: BucketView, kind: AwsKind): ViewResource[] {
  return view.ofKind(kind).filter((r) => configures(r, bucket));
}

/** Bucket-level kinds of which a bucket can have only one: a second one silently replaces the first. */
export const SINGLETON_BUCKET_KINDS = [
  "bucketVersioning",
  "bucketEncryption",
  "bucketPublicAccessBlock",
  "bucketPolicy",
  "bucketLogging",
  "bucketLifecycle",
  "bucketOwnershipControls",
] as const satisfies readonly AwsKind[];

/**
 * The backup buckets (role tag `backups`) a stack policy checks. A stack without one is not this
 * project's concern for that policy: `backup-bucket-configured-once` reports the missing bucket once.
 */
export function backupBucketsOrNotApplicable(
  view: StackView,
  args: { notApplicable(reason?: string): never },
): BucketView[] {
  const found = bucketsWithRole(view, BucketRole.backups);
  if (found.length === 0)
    args.notApplicable(`no bucket is tagged ${BUCKET_ROLE_TAG}=${BucketRole.backups}`);
  return found;
}

/**
 * The buckets that hold backups: the backup bucket and, when the stack has one, its replica in a
 * second region, which must be hardened exactly like it.
 */
export function backupHoldingBucketsOrNotApplicable(
  view: StackView,
  args: { notApplicable(reason?: string): never },
): BucketView[] {
  return [
    ...backupBucketsOrNotApplicable(view, args),
    ...bucketsWithRole(view, BucketRole.replica),
  ];
}
