import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { envelopeKeyAliasOf } from "../catalog/clientSideEncryption";

export interface EnvelopeKeyArgs {
  readonly bucketName: string;
  /** The replica's region (stack config `replication.region`); absent: no replica key. */
  readonly replicaRegion?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The key client-side encryption seals Redis dumps and config archives under: a multi-Region KMS
 * key (`multiRegion: true`) in the primary's region and, with a replica, its replica key
 * (`aws.kms.ReplicaKey`, same key id and key material) in the replica's region, both found by the
 * alias `envelopeKeyAliasOf(bucket)` in their region. A restore from the replica opens the
 * envelopes with the replica key through its own region's KMS, with the primary's region gone
 * (AWS KMS developer guide, "Multi-Region keys in AWS KMS"). Both keys rotate yearly (rotation is
 * the primary's, shared by its replicas) and are `protect`ed: envelopes cannot be opened without
 * them. A single-Region key cannot become multi-Region, so this is a key of its own beside the
 * bucket's; envelopes sealed under the bucket's key before stay readable with it.
 */
export class EnvelopeKey extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly keyArn: pulumi.Output<string>;
  readonly replicaKey?: aws.kms.ReplicaKey;
  readonly replicaKeyArn?: pulumi.Output<string>;

  constructor(name: string, args: EnvelopeKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:EnvelopeKey", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };
    const alias = envelopeKeyAliasOf(args.bucketName);
    this.key = new aws.kms.Key(
      name,
      {
        description: `Seals the client-side encrypted backups of s3://${args.bucketName}`,
        multiRegion: true,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      { ...child, protect: true },
    );
    new aws.kms.Alias(`${name}-alias`, { name: alias, targetKeyId: this.key.keyId }, child);
    this.keyArn = this.key.arn;
    if (args.replicaRegion !== undefined) {
      this.replicaKey = new aws.kms.ReplicaKey(
        `${name}-replica`,
        {
          region: args.replicaRegion,
          primaryKeyArn: this.key.arn,
          description: `Replica in ${args.replicaRegion} of the key sealing the backups of s3://${args.bucketName}`,
          deletionWindowInDays: 30,
          tags,
        },
        { ...child, protect: true },
      );
      new aws.kms.Alias(
        `${name}-replica-alias`,
        { region: args.replicaRegion, name: alias, targetKeyId: this.replicaKey.keyId },
        child,
      );
      this.replicaKeyArn = this.replicaKey.arn;
    }
    this.registerOutputs({ keyArn: this.keyArn, replicaKeyArn: this.replicaKeyArn });
  }
}
