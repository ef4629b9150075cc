/**
 * The secrets the PostgreSQL engine config carries, fetched on the host when pg-engine-setup writes
 * that config, never from the host config file: static AWS keys (only where the host config asks
 * for them: the sandbox) from the step's environment, and the repository cipher passphrase from
 * SSM Parameter Store (a SecureString the operator created, named by `clientSideEncryption`).
 * Nothing here logs a secret: messages name the parameter, never its value.
 */
import { GetParameterCommand, SSMClient, type Parameter } from "@aws-sdk/client-ssm";
import type { EngineSecrets, StaticCredentials } from "../../../infra/catalog/engines";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { backupKeyAlias, envelopeKeyAliasOf } from "../../../infra/catalog/clientSideEncryption";
import { awsClientSettings } from "../storage/aws";
import { JobError } from "../job/errors";
import type { Logger } from "../job/log";
import { configAt, RESTORE_SOURCES, type RestoreSource } from "../job/restoreSource";

/**
 * A passphrase every engine can hold in its config (one line of an INI file) and that resists
 * guessing: at least 32 printable characters, as `openssl rand -base64 48` makes them.
 */
export const MIN_CIPHER_PASS_LENGTH = 32;

/** A line break or other control character would end or corrupt the engine config's INI line. */
function hasControlCharacter(value: string): boolean {
  return [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

/**
 * The alias of the key the parameter is encrypted under in `source`'s region, the one the host role
 * may decrypt it with through SSM there (infra/content/aws/clientSideEncryptionPolicy.ts): the
 * bucket's key in the host's region; in the replica's, the envelope key's replica (the multi-Region
 * key of infra/components/envelopeKey.ts; the bucket's key exists in the host's region only).
 */
export function cipherPassKeyAlias(config: HostConfig, source: RestoreSource): string {
  return source === "primary"
    ? backupKeyAlias(config.bucket)
    : (config.clientSideEncryption?.kmsKeyAlias ?? envelopeKeyAliasOf(config.bucket));
}

/**
 * What an operator runs to create the parameter in `source`'s region
 * (docs/encryption-and-replica.md): in the host's region a new random passphrase; in the replica's
 * the same value as the host's region's (or the offline copy), which `/dev/shm/pass` must hold: a
 * repository opens only with the passphrase it was created with.
 */
export function createParameterCommand(
  config: HostConfig,
  name: string,
  source: RestoreSource = "primary",
): string {
  const put = `aws ssm put-parameter --region ${configAt(config, source).region} --name ${name} --type SecureString --key-id ${cipherPassKeyAlias(config, source)} --value file:///dev/shm/pass; shred -u /dev/shm/pass`;
  return source === "primary"
    ? `openssl rand -base64 48 | tr -d '\\n' > /dev/shm/pass && ${put}`
    : `with the passphrase of ${config.region} (or its offline copy) in /dev/shm/pass: ${put}`;
}

const ROLE_HINT =
  "check the host's instance role (HostAccess client-side encryption policy: ssm:GetParameter on this parameter, kms:Decrypt through SSM on the key that encrypts it) and the network path to SSM";

/** One region's answer to GetParameter: the parameter, or why there is none. */
type Lookup =
  | { readonly parameter: Parameter | undefined }
  | { readonly missing: true; readonly problem: string }
  | { readonly missing: false; readonly problem: string };

/** GetParameter WithDecryption of `name` in `source`'s region; never throws. */
async function lookUp(
  host: HostConfig,
  source: RestoreSource,
  name: string,
  env: NodeJS.ProcessEnv,
  credentials?: StaticCredentials,
): Promise<Lookup> {
  const config = configAt(host, source);
  const ssm = new SSMClient({
    ...awsClientSettings(config, env),
    ...(credentials ? { credentials } : {}),
  });
  try {
    return {
      parameter: (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true })))
        .Parameter,
    };
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (e.name === "ParameterNotFound")
      return { missing: true, problem: `${name} does not exist in ${config.region}` };
    return {
      missing: false,
      problem: `SSM GetParameter of ${name} (with decryption) in ${config.region} failed: ${e.name ?? "Error"}: ${e.message ?? String(error)}`,
    };
  } finally {
    ssm.destroy();
  }
}

/** The passphrase a found parameter holds; a JobError when it is not one the engine can use. */
function checkedValue(
  host: HostConfig,
  source: RestoreSource,
  name: string,
  parameter: Parameter | undefined,
): string {
  const { region } = configAt(host, source);
  if (parameter?.Type !== "SecureString")
    throw new JobError(
      `${name} in ${region} is a ${parameter?.Type ?? "typeless"} parameter: the repository passphrase must be a SecureString`,
      `delete it and create it again as a SecureString: ${createParameterCommand(host, name, source)}`,
    );
  const value = parameter.Value ?? "";
  const controlled = hasControlCharacter(value);
  if (value.length < MIN_CIPHER_PASS_LENGTH || controlled)
    throw new JobError(
      `${name} in ${region} holds ${value.length} characters${controlled ? " with a line break or control character" : ""}: the repository passphrase must be at least ${MIN_CIPHER_PASS_LENGTH} printable characters on one line`,
      `only before the first backup: overwrite it (put-parameter --overwrite) with: ${createParameterCommand(host, name, source)}`,
    );
  return value;
}

/**
 * The repository passphrase from the SecureString `name` in `source`'s region (default the host's;
 * GetParameter WithDecryption). Throws a JobError naming the parameter and the region, never its
 * value, when it is missing, not a SecureString, too short or holds a line break, or when SSM or
 * KMS refuses the host.
 */
export async function fetchCipherPass(
  config: HostConfig,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  credentials?: StaticCredentials,
  source: RestoreSource = "primary",
): Promise<string> {
  const found = await lookUp(config, source, name, env, credentials);
  if ("parameter" in found) return checkedValue(config, source, name, found.parameter);
  if (found.missing)
    throw new JobError(
      `the PostgreSQL repository passphrase parameter ${found.problem}`,
      `create it once, as a SecureString (the stack never holds the passphrase): ${createParameterCommand(config, name, source)}`,
    );
  throw new JobError(found.problem, ROLE_HINT);
}

/** The passphrase and the region whose SSM gave it. */
export interface CipherPass {
  readonly value: string;
  readonly region: string;
}

/**
 * The repository passphrase from `name` in the host's region or, when SSM there cannot give it
 * (the parameter is missing, or the call fails: the region is down, its KMS key unusable), from its
 * copy in the replica's region (host config `replica`; the operator creates the parameter in both,
 * docs/encryption-and-replica.md), so a host rebuilt in the replica's region with the primary's
 * gone still gets its engine config. A parameter that exists but holds no usable passphrase is
 * refused where it is, never passed over. Throws a JobError naming every region tried and why each
 * failed. Logs the region read from on `log`.
 */
export async function fetchCipherPassNearest(
  config: HostConfig,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  credentials?: StaticCredentials,
  log?: Logger,
): Promise<CipherPass> {
  if (config.replica === undefined) {
    const value = await fetchCipherPass(config, name, env, credentials);
    log?.info(`read the repository passphrase ${name} in ${config.region}`);
    return { value, region: config.region };
  }
  const tried: { source: RestoreSource; found: Exclude<Lookup, { parameter: unknown }> }[] = [];
  for (const source of RESTORE_SOURCES) {
    const found = await lookUp(config, source, name, env, credentials);
    const { region } = configAt(config, source);
    if ("parameter" in found) {
      const value = checkedValue(config, source, name, found.parameter);
      log?.info(`read the repository passphrase ${name} in ${region}`, { region });
      return { value, region };
    }
    if (source === "primary")
      log?.warn(`${found.problem}; reading its copy in ${config.replica.region}`);
    tried.push({ source, found });
  }
  const create = tried
    .filter((t) => t.found.missing)
    .map((t, i) => `(${i + 1}) ${createParameterCommand(config, name, t.source)}`);
  throw new JobError(
    `the PostgreSQL repository passphrase parameter could be read in neither ${config.region} nor ${config.replica.region}: ${tried.map((t) => t.found.problem).join("; ")}`,
    [
      ...(create.length > 0
        ? [
            `create it as a SecureString with one value in both regions (the stack never holds the passphrase; a repository opens only with the passphrase it was created with, so where this stack's repositories exist, use their passphrase's offline copy, not a new one): ${create.join(" ")}`,
          ]
        : []),
      ...(tried.some((t) => !t.found.missing) ? [ROLE_HINT] : []),
    ].join("; "),
  );
}

/**
 * Everything `writeConfig` needs on this host; `env` holds the static keys where they are used
 * (`postgres.engine.credentials: static`), and the SSM call then signs with them too.
 */
export async function engineSecrets(
  config: HostConfig,
  env: NodeJS.ProcessEnv = process.env,
  log?: Logger,
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
      ? {
          repositoryCipherPass: (
            await fetchCipherPassNearest(config, parameter, env, staticCredentials, log)
          ).value,
        }
      : {}),
  };
}
