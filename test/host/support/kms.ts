/**
 * The sandbox's envelope key in moto (the key client-side encryption seals under), changed the ways
 * a restore must survive or refuse.
 */
import {
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  KMSClient,
  UpdateAliasCommand,
} from "@aws-sdk/client-kms";
import { sandboxClientSettings } from "../../../scripts/sandbox/moto";
import type { Sandbox } from "../../../scripts/sandbox/sandbox";

async function withKms<T>(
  sb: Sandbox,
  fn: (kms: KMSClient) => Promise<T>,
  region: string = sb.hostConfig.region,
): Promise<T> {
  const kms = new KMSClient(sandboxClientSettings(sb.moto.endpoint, region));
  try {
    return await fn(kms);
  } finally {
    kms.destroy();
  }
}

/** The envelope key's ARN in the host's region (the key the jobs seal under). */
export function envelopeKeyArn(sb: Sandbox): string {
  if (!sb.envelopeKey)
    throw new Error("the sandbox has no envelope key (client-side encryption off)");
  return sb.envelopeKey.arn;
}

/** A second key in the same account: what a host finds when the alias names another key. */
export function createOtherKey(sb: Sandbox): Promise<string> {
  return withKms(sb, async (kms) => {
    const out = await kms.send(new CreateKeyCommand({ Description: "not the backup key" }));
    return out.KeyMetadata?.Arn as string;
  });
}

/** Points the host config's envelope key alias at `keyArn`. */
export function pointBackupAlias(sb: Sandbox, keyArn: string): Promise<void> {
  const alias = sb.hostConfig.clientSideEncryption?.kmsKeyAlias;
  if (!alias) throw new Error("the sandbox has no envelope key alias (client-side encryption off)");
  return withKms(sb, async (kms) => {
    await kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: keyArn }));
  });
}

/**
 * Disables or enables the key `keyArn` (default the envelope key) in its region: a disabled key is
 * what KMS answers for a key nobody may use any more, as with its region gone.
 */
export function setBackupKeyEnabled(
  sb: Sandbox,
  enabled: boolean,
  keyArn: string = envelopeKeyArn(sb),
): Promise<void> {
  // moto 5.2 looks these two up by key id only (an ARN is a KeyError, HTTP 500); AWS takes either.
  const KeyId = keyArn.split("/").at(-1);
  const region = keyArn.split(":")[3];
  return withKms(
    sb,
    async (kms) => {
      await kms.send(enabled ? new EnableKeyCommand({ KeyId }) : new DisableKeyCommand({ KeyId }));
    },
    region,
  );
}
