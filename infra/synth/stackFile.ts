/**
 * Reads `Pulumi.<stack>.yaml` into the flat `"<namespace>:<key>" → string` map Pulumi hands a
 * program (objects JSON-encoded). `secure:` values cannot be decrypted offline: they become a
 * placeholder, never ciphertext or plaintext.
 *
 * A file that cannot be used raises `StackFileError` with one line a person can act on: the
 * file, line and column of a YAML syntax error, or what the file holds where a map belongs.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { parseDocument } from "yaml";
import { OFFLINE_SECRET_PLACEHOLDER } from "../config/stackConfig";

export interface StackFileConfig {
  readonly config: Record<string, string>;
  /** Keys whose values were `secure:` in the stack file. */
  readonly secretKeys: string[];
}

/** A stack file that is missing, not YAML, or not shaped like a Pulumi stack file. One line. */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

/**
 * The top-level keys a Pulumi stack file may hold (Pulumi's project-stack settings); anything else
 * is not a stack file (`Pulumi.yaml`, a `package.json`).
 */
export const STACK_FILE_KEYS = [
  "config",
  "secretsprovider",
  "encryptedkey",
  "encryptionsalt",
  "environment",
] as const;

/** The stack a file's name `Pulumi.<stack>.yaml` says (as Pulumi reads it); undefined for other names. */
export function stackNamedBy(path: string): string | undefined {
  return STACK_FILE.exec(basename(path))?.[1];
}

/**
 * The stack `path` is synthesized as: `stack` (`--stack`) when given, else the one its name says.
 * @throws StackFileError when the file does not exist, or when neither names the stack
 */
export function stackOfFile(path: string, stack?: string): string {
  if (!existsSync(path)) throw new StackFileError(`${shown(path)} does not exist`);
  const name = stack ?? stackNamedBy(path);
  if (name !== undefined) return name;
  throw new StackFileError(
    `${shown(path)} is not named Pulumi.<stack>.yaml, so its stack is unknown: give --stack NAME, or rename it`,
  );
}

/** `Pulumi.<stack>.yaml` in `dir`: where Pulumi looks for a stack's config. */
export function stackFileIn(dir: string, stack: string): string {
  return join(dir, `Pulumi.${stack}.yaml`);
}

/** Names of the stacks that have a `Pulumi.<name>.yaml` in `dir`, sorted. */
export function stackNames(dir: string): string[] {
  return readdirSync(dir)
    .map((name) => STACK_FILE.exec(name)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

/** The stack file of `stack` in `dir`; `StackFileError` listing the stacks that exist when absent. */
export function existingStackFile(dir: string, stack: string): string {
  const path = stackFileIn(dir, stack);
  if (existsSync(path)) return path;
  const names = stackNames(dir);
  throw new StackFileError(
    `no stack '${stack}': ${path} does not exist; stacks here: ${names.length > 0 ? names.join(", ") : "none"} ` +
      `(a new stack is a new Pulumi.<name>.yaml: copy Pulumi.prod.yaml)`,
  );
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isSecure(value: unknown): boolean {
  return isMap(value) && "secure" in value && Object.keys(value).length === 1;
}

/** The path as a person would type it from here. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== "" && !rel.startsWith("..") ? rel : path;
}

/**
 * Parses stack file text; `path` only names the file in errors. Throws `StackFileError`:
 * `<file>:<line>:<column>: YAML syntax error: <what>` for the first syntax error (later ones
 * usually follow from it), `<file>: ... must be a map ..., found a list` for a wrong shape, or a
 * file that is not a stack file: top-level keys other than `STACK_FILE_KEYS`, or no `config:`.
 */
export function parseStackFile(text: string, path = "stack file"): StackFileConfig {
  const document = parseDocument(text);
  const error = document.errors[0];
  if (error !== undefined) {
    const at = error.linePos?.[0];
    const what = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new StackFileError(
      `${shown(path)}:${at?.line ?? 1}:${at?.col ?? 1}: YAML syntax error: ${what}`,
    );
  }
  const root: unknown = document.toJS() ?? {};
  if (!isMap(root)) {
    throw new StackFileError(
      `${shown(path)}: a stack file must be a map with a 'config:' map of "<project>:<key>": value; found ${kindOf(root)}`,
    );
  }
  const foreign = Object.keys(root).filter(
    (key) => !(STACK_FILE_KEYS as readonly string[]).includes(key),
  );
  if (foreign.length > 0) {
    throw new StackFileError(
      `${shown(path)}: not a Pulumi stack file: top-level ${foreign.length === 1 ? "key" : "keys"} ${foreign.map((key) => `'${key}'`).join(", ")}; a stack file holds only ${STACK_FILE_KEYS.join(", ")} (its config is in Pulumi.<stack>.yaml)`,
    );
  }
  if (!("config" in root)) {
    throw new StackFileError(
      `${shown(path)}: no 'config:' map of "<project>:<key>": value; a stack file holds its config there (copy Pulumi.prod.yaml)`,
    );
  }
  const entries: unknown = root.config;
  if (!isMap(entries)) {
    throw new StackFileError(
      `${shown(path)}: 'config' must be a map of "<project>:<key>": value; found ${kindOf(entries)}`,
    );
  }
  // `pulumi config set` always writes the namespace; a key without one would be silently ignored
  // here (the program reads only `<project>:` and `aws:` keys), so say so instead.
  const bare = Object.keys(entries).filter((key) => !key.includes(":"));
  if (bare.length > 0) {
    throw new StackFileError(
      `${shown(path)}: config keys need their namespace, "<project>:<key>" or "aws:<key>"; ` +
        `without one: ${bare.join(", ")} (e.g. ${bare[0]} -> <project>:${bare[0]})`,
    );
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(entries)) {
    if (isSecure(value)) {
      config[key] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.push(key);
    } else if (value === null) {
      // `key:` with nothing after it: an empty value (which validation refuses), not "null".
      config[key] = "";
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys };
}

/** Reads and parses `path`; a missing or unreadable file is a `StackFileError` too. */
export function readStackFile(path: string): StackFileConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new StackFileError(`cannot read stack file ${shown(path)} (${code})`);
  }
  return parseStackFile(text, path);
}
