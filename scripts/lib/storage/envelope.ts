/**
 * Envelope encryption of files with the stack's backup key, through the AWS Encryption SDK for
 * JavaScript (`@aws-crypto/client-node`): KMS generates a data key per file, the SDK encrypts the
 * file with it (AES-256-GCM with HKDF and key commitment, ECDSA P-384 signed: the SDK's default
 * suite) and stores the KMS-encrypted data key in the message header. No cryptography here is our
 * own: this module only streams files through the SDK and turns its errors into on-call messages.
 *
 * Streaming: files go through `encryptStream` / `decryptStream` in frames, never whole in memory.
 * A decrypted file gets its final name only after the SDK has checked the signature at the end of
 * the message, and the encryption context matched: a damaged or swapped object never looks restored.
 *
 * Rules from the AWS Encryption SDK developer guide: "Best practices" (use a commitment policy of
 * REQUIRE_ENCRYPT_REQUIRE_DECRYPT, limit encrypted data keys, use strict KMS keyrings, check the
 * encryption context on decrypt).
 */
import { createReadStream, createWriteStream, promises as fs } from "node:fs";
import { pipeline } from "node:stream/promises";
import {
  buildAwsKmsMrkAwareStrictMultiKeyringNode,
  buildClient,
  CommitmentPolicy,
  getClient,
  KMS,
  type EncryptionContext,
  type KeyringNode,
} from "@aws-crypto/client-node";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { backupKeyAlias } from "../../../infra/catalog/clientSideEncryption";
import { awsClientSettings } from "./aws";
import { publishFile, tempSibling } from "../files/atomicFile";
import { JobError } from "../job/errors";

const { encryptStream, decryptStream } = buildClient({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  // One KMS key writes every message: a header with more data keys was not written by these jobs.
  maxEncryptedDataKeys: 1,
});

/** The key the envelope uses, as the host config names it (alias) and KMS resolved it (ARN). */
export interface EnvelopeKey {
  readonly alias: string;
  readonly arn: string;
}

/**
 * The alias a host uses: the host config's (client-side encryption on), else the stack's own
 * (`alias/<bucket>`), so a host whose stack turned the option off still reads what was encrypted.
 */
export function envelopeKeyAlias(config: HostConfig): string {
  return config.clientSideEncryption?.kmsKeyAlias ?? backupKeyAlias(config.bucket);
}

/**
 * The alias of the key that sealed envelopes before the stack had a multi-Region envelope key:
 * the bucket's own key (`alias/<bucket>`). Read only, to decrypt those envelopes; undefined when
 * it is the envelope key itself.
 */
export function earlierEnvelopeKeyAlias(config: HostConfig): string | undefined {
  const earlier = backupKeyAlias(config.bucket);
  return earlier === envelopeKeyAlias(config) ? undefined : earlier;
}

function awsErrorName(error: unknown): string {
  return (error as { name?: string })?.name ?? "Error";
}

/**
 * Resolves the alias to the key's ARN (kms:DescribeKey). Throws a JobError naming the alias and
 * what to check when the alias is missing, the key is not enabled, or the host may not describe it.
 */
export async function resolveEnvelopeKey(
  config: HostConfig,
  env: NodeJS.ProcessEnv = process.env,
  alias: string = envelopeKeyAlias(config),
): Promise<EnvelopeKey> {
  const kms = new KMSClient(awsClientSettings(config, env));
  try {
    const out = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    const arn = out.KeyMetadata?.Arn;
    if (!arn) throw new JobError(`KMS returned no key ARN for ${alias}`);
    if (out.KeyMetadata?.KeyState !== "Enabled")
      throw new JobError(
        `the backup key ${arn} (${alias}) is ${out.KeyMetadata?.KeyState}: nothing can be encrypted or decrypted with it`,
        "enable the key (or cancel its deletion) in KMS; the backups encrypted under it need it",
      );
    return { alias, arn };
  } catch (error) {
    if (error instanceof JobError) throw error;
    const name = awsErrorName(error);
    throw new JobError(
      `KMS DescribeKey of ${alias} in ${config.region} failed: ${name}: ${(error as Error).message}`,
      name === "NotFoundException"
        ? `the stack creates ${alias} with the backup bucket's key: deploy the stack, or check the region`
        : "check the host's instance role (HostAccess: kms:DescribeKey on the backup key) and the network path to KMS",
    );
  } finally {
    kms.destroy();
  }
}

/** What a decrypt failure means, in words: the key, or the bytes. */
function decryptFailure(
  url: string,
  key: EnvelopeKey,
  recordedKey: string | undefined,
  error: unknown,
): JobError {
  // The multi-keyring's message lists each child keyring's error on lines of its own: one line.
  const detail = `${awsErrorName(error)}: ${(error as Error)?.message ?? String(error)}`
    .replace(/\s+/g, " ")
    .trim();
  // "unencryptedDataKey has not been set": no data key in the header opened with this keyring's key.
  const keyProblem =
    /kms|data ?key|EDK|AccessDenied|Disabled|KeyUnavailable|NotFound|InvalidCiphertext|region/i.test(
      detail,
    );
  if (keyProblem) {
    const other =
      recordedKey && recordedKey !== key.arn
        ? ` It was encrypted under ${recordedKey}, not this host's ${key.arn}.`
        : "";
    return new JobError(
      `cannot decrypt ${url} with the backup key ${key.arn} (${key.alias}): ${detail}.${other}`,
      "nothing was changed. The host needs kms:Decrypt on the key that encrypted the object (HostAccess role, the key's state, the network path to KMS); restore on a host of the stack that wrote it",
    );
  }
  return new JobError(
    `${url} failed authentication while decrypting (${detail}): its ciphertext was altered or it is not an AWS Encryption SDK message`,
    "nothing was changed; the object is not what the backup wrote: pick another backup, and find out who could write the bucket",
  );
}

export class Envelope {
  private readonly keyring: KeyringNode;
  private readonly decryptKeyring: KeyringNode;

  /**
   * `earlier`: keys that sealed older envelopes, used to decrypt only. The keyrings are strict and
   * aware of multi-Region keys (AWS Encryption SDK developer guide, "Multi-Region keys"): a data key
   * sealed under the envelope key in one region opens with its replica in another (same key id and
   * material), through that region's KMS endpoint (`config.region`).
   */
  constructor(
    readonly key: EnvelopeKey,
    config: HostConfig,
    env: NodeJS.ProcessEnv = process.env,
    readonly earlier: readonly EnvelopeKey[] = [],
  ) {
    const clientProvider = getClient(KMS, awsClientSettings(config, env));
    this.keyring = buildAwsKmsMrkAwareStrictMultiKeyringNode({
      generatorKeyId: key.arn,
      clientProvider,
    });
    this.decryptKeyring = buildAwsKmsMrkAwareStrictMultiKeyringNode({
      generatorKeyId: key.arn,
      keyIds: earlier.map((k) => k.arn),
      clientProvider,
    });
  }

  /**
   * The envelope of `config` (its region's KMS endpoint and key), with the earlier key when it
   * resolves there (it exists in the primary's region only).
   */
  static async forHost(
    config: HostConfig,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<Envelope> {
    const key = await resolveEnvelopeKey(config, env);
    const earlierAlias = earlierEnvelopeKeyAlias(config);
    const earlier =
      earlierAlias === undefined
        ? []
        : await resolveEnvelopeKey(config, env, earlierAlias).then(
            (k) => (k.arn === key.arn ? [] : [k]),
            // Not there (another region, or never created): only envelopes sealed under the
            // envelope key open, and a message names the key of any other.
            () => [],
          );
    return new Envelope(key, config, env, earlier);
  }

  /**
   * Encrypts `source` into a new file `target` (mode 0600, must not exist) bound to `context`.
   * Throws a JobError naming the key when KMS refuses a data key.
   */
  async encryptFile(source: string, target: string, context: EncryptionContext): Promise<void> {
    try {
      await pipeline(
        createReadStream(source),
        encryptStream(this.keyring, { encryptionContext: context }),
        createWriteStream(target, { flags: "wx", mode: 0o600 }),
      );
    } catch (error) {
      await fs.rm(target, { force: true });
      throw new JobError(
        `cannot encrypt ${source} with the backup key ${this.key.arn} (${this.key.alias}): ${awsErrorName(error)}: ${(error as Error).message}`,
        "check the host's instance role (kms:GenerateDataKey on the backup key with this stack's encryption context) and the key's state",
      );
    }
  }

  /**
   * Decrypts `source` into `target` (through a temp sibling, mode `mode`): the file gets its name
   * only once the whole message authenticated and its encryption context holds every pair of
   * `expected`. `url` names the object in messages; `recordedKey` is the key ARN its metadata names.
   */
  async decryptFile(
    source: string,
    target: string,
    expected: EncryptionContext,
    url: string,
    options: { readonly mode?: number; readonly recordedKey?: string } = {},
  ): Promise<void> {
    const temp = tempSibling(target);
    try {
      let context: EncryptionContext | undefined;
      const decrypting = decryptStream(this.decryptKeyring);
      decrypting.once("MessageHeader", (header: { encryptionContext: EncryptionContext }) => {
        context = header.encryptionContext;
      });
      try {
        await pipeline(
          createReadStream(source),
          decrypting,
          createWriteStream(temp, { flags: "wx", mode: options.mode ?? 0o600 }),
        );
      } catch (error) {
        throw decryptFailure(url, this.key, options.recordedKey, error);
      }
      const wrong = Object.entries(expected).filter(([k, v]) => context?.[k] !== v);
      if (wrong.length > 0) {
        throw new JobError(
          `${url} was encrypted for another place: its encryption context has ${wrong.map(([k]) => `${k}=${JSON.stringify(context?.[k])}`).join(", ")}, expected ${wrong.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")}`,
          "nothing was changed; the object was copied or renamed from elsewhere in the bucket: restore the object under its own name",
        );
      }
      await publishFile(temp, target, { mode: options.mode ?? 0o600 });
    } finally {
      await fs.rm(temp, { force: true });
    }
  }
}
