/**
 * redis.conf as Redis reads it: one directive per line, arguments split on blanks with "double"
 * and 'single' quotes, `#` only at the start of a line, names case-insensitive. Pure functions, so
 * apply-config can tell what the managed fragment asks of a running Redis and whether the main
 * file includes it, without a server.
 */

export interface RedisDirective {
  /** Lower-cased, as Redis compares them. */
  readonly name: string;
  readonly args: readonly string[];
  /** 1-based line number, for messages. */
  readonly line: number;
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  r: "\r",
  t: "\t",
  b: "\b",
  a: "\x07",
};

function unterminated(lineNo: number): Error {
  return new Error(`line ${lineNo}: unbalanced quotes`);
}

/** Splits one line into arguments the way Redis does (sdssplitargs); throws on unbalanced quotes. */
export function splitRedisArgs(line: string, lineNo = 1): string[] {
  const args: string[] = [];
  let i = 0;
  const blank = (c: string | undefined) => c === " " || c === "\t" || c === "\r" || c === "\n";
  for (;;) {
    while (blank(line[i])) i++;
    if (i >= line.length) return args;
    let current = "";
    const quote = line[i] === '"' || line[i] === "'" ? line[i++] : undefined;
    for (;;) {
      const c = line[i];
      if (quote === undefined) {
        if (c === undefined || blank(c)) break;
        current += c;
        i++;
        continue;
      }
      if (c === undefined) throw unterminated(lineNo);
      if (c === quote) {
        i++;
        // A closing quote must end the argument.
        if (line[i] !== undefined && !blank(line[i])) throw unterminated(lineNo);
        break;
      }
      if (c === "\\" && quote === '"' && line[i + 1] !== undefined) {
        const next = line[i + 1];
        const hex = /^x([0-9a-fA-F]{2})/.exec(line.slice(i + 1));
        if (hex) {
          current += String.fromCharCode(parseInt(hex[1], 16));
          i += 4;
        } else {
          current += ESCAPES[next] ?? next;
          i += 2;
        }
        continue;
      }
      if (c === "\\" && quote === "'" && line[i + 1] === "'") {
        current += "'";
        i += 2;
        continue;
      }
      current += c;
      i++;
    }
    args.push(current);
  }
}

export function parseRedisConf(text: string): RedisDirective[] {
  const directives: RedisDirective[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const [name, ...args] = splitRedisArgs(line, index + 1);
    if (name !== undefined) directives.push({ name: name.toLowerCase(), args, line: index + 1 });
  });
  return directives;
}

/**
 * What `CONFIG SET` would have to be given for a running Redis to match these directives:
 * name → value. `save` lines accumulate and `save ""` clears them; any other setting's last line
 * wins. `include` is a file-level directive and has no runtime value.
 */
export function runtimeSettings(directives: readonly RedisDirective[]): Map<string, string> {
  const settings = new Map<string, string>();
  let savePoints: string[] | undefined;
  for (const d of directives) {
    if (d.name === "include") continue;
    if (d.name === "save") {
      const points = d.args.filter((a) => a !== "");
      savePoints = points.length === 0 ? [] : [...(savePoints ?? []), ...points];
      settings.set("save", savePoints.join(" "));
    } else {
      settings.set(d.name, d.args.join(" "));
    }
  }
  return settings;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${body}$`);
}

/**
 * The last `include` line that reads `path` (exactly, through `sameFile`, or through a wildcard,
 * which Redis 7 allows), or undefined.
 */
export function includeOf(
  directives: readonly RedisDirective[],
  path: string,
  sameFile: (a: string, b: string) => boolean = (a, b) => a === b,
): RedisDirective | undefined {
  return directives
    .filter((d) => d.name === "include" && d.args.length === 1)
    .filter((d) => {
      const target = d.args[0];
      return /[*?]/.test(target) ? globToRegExp(target).test(path) : sameFile(target, path);
    })
    .at(-1);
}

/** Directives after `after` that set one of `names`: they would win over the included file. */
export function overridesAfter(
  directives: readonly RedisDirective[],
  after: RedisDirective,
  names: ReadonlySet<string>,
): RedisDirective[] {
  return directives.filter((d) => d.line > after.line && names.has(d.name));
}

export const INCLUDE_COMMENT =
  "# Added by stellar-insights-backup (apply-config): the managed fragment, last so its settings win.";

/** `text` with an include of `path` appended as its last line. */
export function withInclude(text: string, path: string): string {
  const separator = text === "" || text.endsWith("\n") ? "" : "\n";
  return `${text}${separator}${INCLUDE_COMMENT}\ninclude ${path}\n`;
}
