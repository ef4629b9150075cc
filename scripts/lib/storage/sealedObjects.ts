/**
 * Backup objects that may be client-side encrypted (Redis dumps, config archives): what redis- and
 * config- backup and restore call instead of the store's plain upload and download.
 *
 * With `clientSideEncryption` in the host config, an upload is an AWS Encryption SDK message
 * (scripts/lib/storage/envelope.ts) whose encryption context names the stack, host, row, set and object
 * key; its metadata marks the format and names the key. The store's `sha256` metadata and the
 * pointers that copy it (`latest.json` `archiveSha256`) are the SHA-256 of the bytes in S3, the
 * ciphertext; the plaintext is checked by the SDK's authenticated encryption and signature.
 *
 * Reads follow the object, not the option: an encrypted object is always decrypted (the key is the
 * stack's own alias; the host role needs the option's KMS grants for it), and a plaintext object is refused
 * while the option is on unless the restore allows it (ALLOW_PLAINTEXT=yes, for the backups taken
 * before the option was turned on): with the option on, a plaintext object under a backup prefix is
 * either such an old backup or one planted by whoever could write the bucket, and only a person can
 * tell which.
 */
import { promises as fs } from "node:fs";
import type { EncryptionContext } from "@aws-crypto/client-node";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import {
  CLIENT_SIDE_FORMAT,
  CLIENT_SIDE_METADATA,
  ENCRYPTION_CONTEXT_KEYS,
} from "../../../infra/catalog/clientSideEncryption";
import { tempSibling } from "../files/atomicFile";
import { Envelope } from "./envelope";
import { JobError } from "../job/errors";
import type { BackupStore, UploadResult } from "./s3";

/** Where an object belongs: bound into its encryption context. */
export interface ObjectPlace {
  readonly host: string;
  readonly row: "redis" | "configs";
  /** The config set (config archives only). */
  readonly set?: string;
}

/** The encryption context of the object `key` at `place` in `stack`. */
export function encryptionContext(
  stack: string,
  place: ObjectPlace,
  key: string,
): EncryptionContext {
  return {
    [ENCRYPTION_CONTEXT_KEYS.stack]: stack,
    [ENCRYPTION_CONTEXT_KEYS.host]: place.host,
    [ENCRYPTION_CONTEXT_KEYS.row]: place.row,
    ...(place.set !== undefined ? { [ENCRYPTION_CONTEXT_KEYS.set]: place.set } : {}),
    [ENCRYPTION_CONTEXT_KEYS.object]: key,
  };
}

/** Whether an object's metadata marks it as an Encryption SDK message. */
export function isSealed(metadata: Readonly<Record<string, string>>): boolean {
  return metadata[CLIENT_SIDE_METADATA.format] === CLIENT_SIDE_FORMAT;
}

export interface SealedDownload {
  readonly bytes: number;
  /** Whether the object was client-side encrypted. */
  readonly sealed: boolean;
  readonly metadata: Record<string, string>;
}

export class SealedObjects {
  private envelope?: Promise<Envelope>;

  constructor(
    private readonly store: BackupStore,
    private readonly config: HostConfig,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Whether uploads are encrypted (the host config's `clientSideEncryption`). */
  get encrypting(): boolean {
    return this.config.clientSideEncryption !== undefined;
  }

  private key(): Promise<Envelope> {
    this.envelope ??= Envelope.forHost(this.config, this.env);
    return this.envelope;
  }

  /**
   * Uploads `path` to `key`, encrypted when the option is on (the ciphertext is written beside
   * `path` and removed after). Same result as `BackupStore.uploadFile`: bytes and SHA-256 are the
   * stored object's.
   */
  async upload(
    key: string,
    path: string,
    place: ObjectPlace,
    metadata: Record<string, string> = {},
    contentType = "application/octet-stream",
  ): Promise<UploadResult> {
    if (!this.encrypting) return this.store.uploadFile(key, path, metadata, contentType);
    const envelope = await this.key();
    const sealed = tempSibling(path);
    try {
      await envelope.encryptFile(path, sealed, encryptionContext(this.config.stack, place, key));
      return await this.store.uploadFile(
        key,
        sealed,
        {
          ...metadata,
          [CLIENT_SIDE_METADATA.format]: CLIENT_SIDE_FORMAT,
          [CLIENT_SIDE_METADATA.keyArn]: envelope.key.arn,
        },
        // The bytes are an Encryption SDK message, whatever the plaintext's type.
        "application/octet-stream",
      );
    } finally {
      await fs.rm(sealed, { force: true });
    }
  }

  /**
   * Downloads `key` into `path` (mode `mode`), decrypting an encrypted object. Throws a JobError
   * naming the object when it cannot be decrypted (no kms:Decrypt, another key, altered bytes, a
   * context of another place) and when it is plaintext while the option is on without
   * `allowPlaintext`. Nothing is left at `path` on failure.
   */
  async download(
    key: string,
    path: string,
    place: ObjectPlace,
    options: { readonly mode?: number; readonly allowPlaintext?: boolean } = {},
  ): Promise<SealedDownload> {
    const url = `s3://${this.store.bucket}/${key}`;
    const mode = options.mode ?? 0o600;
    const raw = tempSibling(path);
    try {
      const got = await this.store.download(key, raw, { mode: 0o600 });
      if (!isSealed(got.metadata)) {
        if (this.encrypting && !options.allowPlaintext)
          throw new JobError(
            `${url} is not client-side encrypted, but this stack encrypts every backup (clientSideEncryption is on); refusing it`,
            "nothing was changed. A plaintext backup is either older than the option or was put there by whoever could write the bucket: if you know it is an old one, run the restore again with AllowPlaintext=yes (ALLOW_PLAINTEXT=yes); otherwise pick another backup",
          );
        await fs.rename(raw, path);
        await fs.chmod(path, mode);
        return { bytes: got.bytes, sealed: false, metadata: got.metadata };
      }
      const envelope = await this.key();
      const recordedKey = got.metadata[CLIENT_SIDE_METADATA.keyArn];
      await envelope.decryptFile(raw, path, encryptionContext(this.config.stack, place, key), url, {
        mode,
        ...(recordedKey ? { recordedKey } : {}),
      });
      const { size } = await fs.stat(path);
      return { bytes: size, sealed: true, metadata: got.metadata };
    } finally {
      await fs.rm(raw, { force: true });
    }
  }
}
