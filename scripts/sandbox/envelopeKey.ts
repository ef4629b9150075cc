/**
 * The stack's multi-Region envelope key (infra/components/envelopeKey.ts), made in moto for the
 * sandbox as `pulumi up` makes it: the key in the host's region and, when the host config names a
 * replica, its replica key in the replica's region (same key id and key material), each found by
 * the host config's alias in its region.
 */
import {
  CreateAliasCommand,
  CreateKeyCommand,
  KMSClient,
  ReplicateKeyCommand,
} from "@aws-sdk/client-kms";
import type { HostConfig } from "../../infra/catalog/hostConfig";
import { sandboxClientSettings } from "./moto";

export interface SandboxEnvelopeKey {
  readonly arn: string;
  /** The replica key's ARN, when the host config names a replica. */
  readonly replicaArn?: string;
}

/** Creates the envelope key (and its replica) of `host`'s `clientSideEncryption` in moto. */
export async function createEnvelopeKey(
  endpoint: string,
  host: HostConfig,
): Promise<SandboxEnvelopeKey> {
  const cse = host.clientSideEncryption;
  if (!cse) throw new Error("the host config has no clientSideEncryption section");
  const kms = new KMSClient(sandboxClientSettings(endpoint, host.region));
  try {
    const created = await kms.send(
      new CreateKeyCommand({
        Description: `sandbox stand-in for the envelope key ${cse.kmsKeyAlias}`,
        MultiRegion: true,
      }),
    );
    const arn = created.KeyMetadata?.Arn;
    const keyId = created.KeyMetadata?.KeyId;
    if (!arn || !keyId) throw new Error("moto returned no KMS key");
    await kms.send(new CreateAliasCommand({ AliasName: cse.kmsKeyAlias, TargetKeyId: keyId }));
    if (host.replica === undefined) return { arn };
    const replicated = await kms.send(
      new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: host.replica.region }),
    );
    const replicaArn = replicated.ReplicaKeyMetadata?.Arn;
    if (!replicaArn) throw new Error("moto returned no replica key");
    const there = new KMSClient(sandboxClientSettings(endpoint, host.replica.region));
    try {
      await there.send(new CreateAliasCommand({ AliasName: cse.kmsKeyAlias, TargetKeyId: keyId }));
    } catch (error) {
      // moto 5.2's ReplicateKey copies the key with its aliases; AWS copies no alias.
      if ((error as { name?: string }).name !== "AlreadyExistsException") throw error;
    } finally {
      there.destroy();
    }
    return { arn, replicaArn };
  } finally {
    kms.destroy();
  }
}
