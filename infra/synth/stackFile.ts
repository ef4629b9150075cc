/**
 * Reads `Pulumi.<stack>.yaml` into the flat `"<namespace>:<key>" → string` map Pulumi hands a
 * program (objects JSON-encoded). `secure:` values cannot be decrypted offline: they become a
 * placeholder, never ciphertext or plaintext.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { OFFLINE_SECRET_PLACEHOLDER } from "../config/stackConfig";

export interface StackFileConfig {
  readonly config: Record<string, string>;
  /** Keys whose values were `secure:` in the stack file. */
  readonly secretKeys: string[];
}

function isSecure(value: unknown): boolean {
  return value !== null && typeof value === "object" && "secure" in value && Object.keys(value).length === 1;
}

export function parseStackFile(text: string): StackFileConfig {
  const document = (parse(text) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(document.config ?? {})) {
    if (isSecure(value)) {
      config[key] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys };
}

export function readStackFile(path: string): StackFileConfig {
  return parseStackFile(readFileSync(path, "utf8"));
}
