/**
 * The operator's one-time step of client-side encryption, done for the sandbox: the PostgreSQL
 * repository passphrase as an SSM SecureString, in moto, in the host's region and the replica's,
 * each under the key the host role decrypts it with there (`cipherPassKeyAlias`). A fresh
 * random value per sandbox, as `openssl rand -base64 48` gives an operator
 * (docs/encryption-and-replica.md); it never leaves moto and the engine config file.
 */
import { randomBytes } from "node:crypto";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { HostConfig } from "../../infra/catalog/hostConfig";
import { cipherPassKeyAlias } from "../lib/postgres/engineSecrets";
import { sandboxClientSettings } from "./moto";

/**
 * Creates (or overwrites) `host.clientSideEncryption.cipherPassParameter` in moto at `endpoint`, in
 * `region` (default the host's; the operator also creates it in the replica's region).
 */
export async function putCipherPass(
  endpoint: string,
  host: HostConfig,
  value: string = randomBytes(48).toString("base64"),
  type: "SecureString" | "String" = "SecureString",
  region: string = host.region,
): Promise<void> {
  const cse = host.clientSideEncryption;
  if (!cse) throw new Error("the host config has no clientSideEncryption section");
  const ssm = new SSMClient(sandboxClientSettings(endpoint, region));
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: cse.cipherPassParameter,
        Type: type,
        ...(type === "SecureString"
          ? { KeyId: cipherPassKeyAlias(host, region === host.region ? "primary" : "replica") }
          : {}),
        Value: value,
        Overwrite: true,
      }),
    );
  } finally {
    ssm.destroy();
  }
}
