/**
 * The secrets the PostgreSQL engine config carries, fetched on the host when pg-engine-setup writes
 * that config, never from the host config file: static AWS keys (only where the host config asks
 * for them: the sandbox) from the step's environment, and the repository cipher passphrase from
 * SSM Parameter Store (a SecureString the operator created, named by `clientSideEncryption`).
 * Nothing here logs a secret: messages name the parameter, never its value.
 */
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { EngineSecrets, StaticCredentials } from "../../infra/catalog/engines";
import type { HostConfig } from "../../infra/catalog/hostConfig";
import { backupKeyAlias } from "../../infra/catalog/clientSideEncryption";
import { awsClientSettings } from "./aws";
import { JobError } from "./errors";

/**
 * A passphrase pgBackRest can hold in its config (one INI line) and that resists guessing: at least
 * 32 printable characters. pgBackRest's user guide generates its example with `openssl rand -base64 48`.
 */
export const MIN_CIPHER_PASS_LENGTH = 32;

/** A line break or other control character would end or corrupt the engine config's INI line. */
function hasControlCharacter(value: string): boolean {
  return [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

/** What an operator runs to create the parameter (README "Client-side encryption"). */
export function createParameterCommand(config: HostConfig, name: string): string {
  return `openssl rand -base64 48 | tr -d '\\n' > /dev/shm/pass && aws ssm put-parameter --region ${config.region} --name ${name} --type SecureString --key-id ${backupKeyAlias(config.bucket)} --value file:///dev/shm/pass; shred -u /dev/shm/pass`;
}

/**
 * The repository passphrase from the SecureString `name` (GetParameter WithDecryption). Throws a
 * JobError naming the parameter, never its value, when it is missing, not a SecureString, too
 * short or holds a line break, or when SSM or KMS refuses the host.
 */
export async function fetchCipherPass(
  config: HostConfig,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  credentials?: StaticCredentials,
): Promise<string> {
  const ssm = new SSMClient({
    ...awsClientSettings(config, env),
    ...(credentials ? { credentials } : {}),
  });
  let parameter;
  try {
    parameter = (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true })))
      .Parameter;
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (e.name === "ParameterNotFound")
      throw new JobError(
        `the PostgreSQL repository passphrase parameter ${name} does not exist in ${config.region}`,
        `create it once, as a SecureString under the backup key (the stack never holds the passphrase): ${createParameterCommand(config, name)}`,
      );
    throw new JobError(
      `SSM GetParameter of ${name} (with decryption) failed: ${e.name ?? "Error"}: ${e.message ?? String(error)}`,
      "check the host's instance role (HostAccess client-side encryption policy: ssm:GetParameter on this parameter, kms:Decrypt through SSM on the key that encrypts it) and the network path to SSM",
    );
  } finally {
    ssm.destroy();
  }
  if (parameter?.Type !== "SecureString")
    throw new JobError(
      `${name} is a ${parameter?.Type ?? "typeless"} parameter: the repository passphrase must be a SecureString`,
      `delete it and create it again as a SecureString: ${createParameterCommand(config, name)}`,
    );
  const value = parameter.Value ?? "";
  const controlled = hasControlCharacter(value);
  if (value.length < MIN_CIPHER_PASS_LENGTH || controlled)
    throw new JobError(
      `${name} holds ${value.length} characters${controlled ? " with a line break or control character" : ""}: the repository passphrase must be at least ${MIN_CIPHER_PASS_LENGTH} printable characters on one line`,
      `only before the first backup: overwrite it (put-parameter --overwrite) with: ${createParameterCommand(config, name)}`,
    );
  return value;
}

/**
 * Everything `writeConfig` needs on this host; `env` holds the static keys where they are used
 * (`postgres.engine.credentials: static`), and the SSM call then signs with them too.
 */
export async function engineSecrets(
  config: HostConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EngineSecrets> {
  const { engine } = config.postgres;
  const staticCredentials =
    engine.credentials === "static"
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID ?? "",
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "",
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined;
  const parameter = config.clientSideEncryption?.cipherPassParameter;
  return {
    ...(staticCredentials ? { staticCredentials } : {}),
    // Static keys (the sandbox) reach SSM too: they are this host's AWS identity.
    ...(parameter
      ? { repositoryCipherPass: await fetchCipherPass(config, parameter, env, staticCredentials) }
      : {}),
  };
}
