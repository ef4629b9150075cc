/** The sandbox's backup key in moto, changed the ways a restore must survive or refuse. */
import {
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  KMSClient,
  UpdateAliasCommand,
} from "@aws-sdk/client-kms";
import { backupKeyAlias } from "../../../infra/catalog/clientSideEncryption";
import { sandboxClientSettings } from "../../../scripts/sandbox/moto";
import type { Sandbox } from "../../../scripts/sandbox/sandbox";

async function withKms<T>(sb: Sandbox, fn: (kms: KMSClient) => Promise<T>): Promise<T> {
  const kms = new KMSClient(sandboxClientSettings(sb.moto.endpoint, sb.hostConfig.region));
  try {
    return await fn(kms);
  } finally {
    kms.destroy();
  }
}

/** A second key in the same account: what a host finds when the alias names another key. */
export function createOtherKey(sb: Sandbox): Promise<string> {
  return withKms(sb, async (kms) => {
    const out = await kms.send(new CreateKeyCommand({ Description: "not the backup key" }));
    return out.KeyMetadata?.Arn as string;
  });
}

/** Points the stack's alias (`alias/<bucket>`) at `keyArn`. */
export function pointBackupAlias(sb: Sandbox, keyArn: string): Promise<void> {
  return withKms(sb, async (kms) => {
    await kms.send(
      new UpdateAliasCommand({ AliasName: backupKeyAlias(sb.bucket.name), TargetKeyId: keyArn }),
    );
  });
}

/** Disables or enables the backup key. */
export function setBackupKeyEnabled(sb: Sandbox, enabled: boolean): Promise<void> {
  // moto 5.2 looks these two up by key id only (an ARN is a KeyError, HTTP 500); AWS takes either.
  const KeyId = sb.bucket.kmsKeyArn.split("/").at(-1);
  return withKms(sb, async (kms) => {
    await kms.send(enabled ? new EnableKeyCommand({ KeyId }) : new DisableKeyCommand({ KeyId }));
  });
}
