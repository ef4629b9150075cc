/**
 * How a config value reads in a message: the one formatting function for values that stack config
 * and host config messages quote, so no message prints a value as if it were right when it is not,
 * and none prints a secret. Pure module: host jobs bundle it.
 *
 * Every value the configs accept is ASCII (paths, names, regions, schedules, e-mail addresses), so
 * every character outside printable ASCII is shown as its code point: a zero-width space, a
 * no-break space, a Cyrillic `а` in place of a Latin `a`, a line break or a terminal escape reads
 * as `\u{200B}`, `\u{A0}`, `\u{430}`, `\n`, `\u{1B}` instead of looking like the right value (or
 * rewriting the terminal). Secret-shaped text is replaced by its length (`secretShape`).
 */

/** A value a message must not show (a secret, or what may be one): only its length is printed. */
export class HiddenValue {
  constructor(readonly length: number) {}
  toJSON(): string {
    return this.toString();
  }
  toString(): string {
    return `<hidden: ${this.length} characters>`;
  }
}

/** `value` hidden, for a problem's `value` when the key holds (or may hold) a secret. */
export function hidden(value: unknown): HiddenValue {
  return new HiddenValue(typeof value === "string" ? value.length : String(value).length);
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/** Printable ASCII stays; everything else is `\u{<hex>}` (JSON's escapes for the usual few). */
function escaped(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (ESCAPES[char] !== undefined) out += ESCAPES[char];
    else if (code >= 0x20 && code <= 0x7e) out += char;
    else out += `\\u{${code.toString(16).toUpperCase()}}`;
  }
  return `"${out}"`;
}

/**
 * What secret `text` certainly holds, for a message, or `undefined`: an AWS access key id
 * (`AKIA…`, `ASIA…`: docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html), a
 * password as URL user info (`https://user:pass@host`, RFC 3986 3.2.1), a PEM private key.
 */
export function secretKind(text: string): string | undefined {
  if (/\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/.test(text)) return "an AWS access key id";
  if (/[a-z][a-z0-9+.-]*:\/\/[^/?#@\s"]*:[^/?#@\s"]+@/i.test(text))
    return "a password (user info in the URL)";
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return "a private key";
  return undefined;
}

/**
 * Whether a message must hide `text`: it holds a secret (`secretKind`), or has a long unbroken run
 * of letters and digits that mixes cases and digits (a secret access key, a token, a generated
 * passphrase). Paths, ARNs, names and schedules do not: they break at `/`, `:` or `.` into short
 * words. The rule a value must follow is named by the message; the value is not needed to fix it.
 */
export function secretShape(text: string): boolean {
  if (secretKind(text) !== undefined) return true;
  return (text.match(/[A-Za-z0-9+=_-]{20,}/g) ?? []).some(
    (run) => /[a-z]/.test(run) && /[A-Z]/.test(run) && /\d/.test(run),
  );
}

/**
 * `value` as a message shows it: text quoted and escaped (secret-shaped text hidden), numbers and
 * booleans as JSON, lists and maps as JSON with each of their values shown so, `(not set)` for
 * undefined.
 */
export function showValue(value: unknown): string {
  if (value instanceof HiddenValue) return value.toString();
  if (value === undefined) return "(not set)";
  if (value === null) return "null";
  if (typeof value === "string")
    return secretShape(value) ? hidden(value).toString() : escaped(value);
  if (Array.isArray(value)) return `[${value.map(showValue).join(",")}]`;
  if (typeof value === "object")
    return `{${Object.entries(value)
      .map(([key, inner]) => `${escaped(key)}:${showValue(inner)}`)
      .join(",")}}`;
  return String(value);
}
