/**
 * The one command-line reader of every entry point (synth, policy, sandbox, drill, bench and the
 * host jobs): `--help` prints usage, options, environment and exit codes; a bad command line
 * becomes one line that names every problem, then the usage line, and a usage exit code.
 *
 * Parsing is Node's `util.parseArgs`, leniently with tokens, so each problem gets a message that
 * names the flag (parseArgs' own strict errors are multi-line and differ between Node.js releases);
 * the typed values are read from the same tokens once they are clean. A value that looks like a
 * negative number (`--scale -5`) is a value, so the command's own range check can name it.
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

export interface OptionSpec {
  readonly type: "string" | "boolean";
  /** Placeholder shown after a string option: `--stack NAME`. */
  readonly value?: string;
  readonly default?: string;
  readonly description: string;
}

export interface CommandSpec<O extends Readonly<Record<string, OptionSpec>>> {
  /** What a person types, without options: `npm run synth --`. */
  readonly command: string;
  /** Prefix of error lines: `synth`. */
  readonly name: string;
  /** One or two sentences: what the command does. */
  readonly summary: string;
  readonly options: O;
  /** Environment variables the command reads (host jobs take their parameters there). */
  readonly environment?: Readonly<Record<string, string>>;
  /** Every exit code and what it means. */
  readonly exitCodes: Readonly<Record<number, string>>;
  /** Exit code of a bad command line (default 2). */
  readonly usageExitCode?: number;
  /**
   * What a stray word (`argument`, as typed) was most likely meant to be, for the problem line
   * `unexpected argument '<argument>' (<hint>)`. Default: `NPM_HINT`, for the npm-run tools,
   * where npm keeps options typed without `--` and hands the tool their values as bare words.
   */
  readonly strayArgumentHint?: (argument: string) => string;
}

/** The default `strayArgumentHint`: options typed after `npm run <tool>` need a `--` before them. */
export const NPM_HINT = "with npm run, put -- before the options";

/** Typed values: booleans default to false; a string option is `string` when it has a default. */
export type CommandLineValues<O extends Readonly<Record<string, OptionSpec>>> = {
  readonly [K in keyof O]: O[K]["type"] extends "boolean"
    ? boolean
    : O[K] extends { readonly default: string }
      ? string
      : string | undefined;
};

export type Interpretation<O extends Readonly<Record<string, OptionSpec>>> =
  | { readonly kind: "help" }
  | { readonly kind: "bad"; readonly problems: readonly string[] }
  | { readonly kind: "ok"; readonly values: CommandLineValues<O> };

/**
 * A separate argument after a string option that is its value although it starts with `-`:
 * `-5`, `-0.5`, `-.5`, `-5,3` (a list). parseArgs reads it as the value either way.
 */
const NEGATIVE_NUMBER = /^-\.?\d/;

const HELP: OptionSpec = { type: "boolean", description: "print this help and exit" };

function flag(name: string, option: OptionSpec): string {
  return option.type === "string" ? `--${name} ${option.value ?? "VALUE"}` : `--${name}`;
}

/** `usage: npm run synth -- [--stack NAME] [--out DIR] [--help]`. */
export function usageLine(spec: CommandSpec<Readonly<Record<string, OptionSpec>>>): string {
  const options = Object.entries(spec.options).map(([name, option]) => `[${flag(name, option)}]`);
  return ["usage:", spec.command, ...options, "[--help]"].join(" ");
}

/** Two columns; a right-hand text with line breaks continues under its first line. */
function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.flatMap(([left, right]) =>
    right.split("\n").map((line, i) => `  ${(i === 0 ? left : "").padEnd(width)}  ${line}`),
  );
}

/** The `--help` text: usage line, summary, options, environment, exit codes. */
export function helpText(spec: CommandSpec<Readonly<Record<string, OptionSpec>>>): string {
  const options = Object.entries(spec.options).map(
    ([name, option]) =>
      [
        flag(name, option),
        option.default === undefined
          ? option.description
          : `${option.description} (default: ${option.default})`,
      ] as const,
  );
  const environment = Object.entries(spec.environment ?? {});
  return [
    usageLine(spec),
    "",
    spec.summary,
    "",
    "options:",
    ...table([...options, ["-h, --help", HELP.description]]),
    ...(environment.length > 0 ? ["", "environment:", ...table(environment)] : []),
    "",
    "exit codes:",
    ...table(Object.entries(spec.exitCodes).map(([code, meaning]) => [code, meaning] as const)),
  ].join("\n");
}

function parseConfig(options: Readonly<Record<string, OptionSpec>>): ParseArgsOptionsConfig {
  const config: ParseArgsOptionsConfig = { help: { type: "boolean", short: "h" } };
  for (const [name, option] of Object.entries(options)) {
    config[name] =
      option.default === undefined
        ? { type: option.type }
        : { type: option.type, default: option.default };
  }
  return config;
}

/**
 * Reads `argv` (without node and the script) against `spec`. Pure: the caller prints and exits.
 * Problems, each naming its argument: an unknown option, a string option without a value (also
 * when the next argument is another flag: a value starting with `-` other than a negative number
 * is written `--name=-x`), a value given to a boolean option, an unexpected argument (explained by
 * `spec.strayArgumentHint`: by default, with `npm run` options need a `--` before them or npm keeps
 * them). An option given twice keeps its last value, as parseArgs does.
 */
export function interpretCommandLine<O extends Readonly<Record<string, OptionSpec>>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
): Interpretation<O> {
  const config = parseConfig(spec.options);
  const { tokens } = parseArgs({
    args: [...argv],
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const problems: string[] = [];
  let afterUnknownOption = false;
  for (const token of tokens) {
    if (token.kind === "option" && token.name === "help") return { kind: "help" };
    const follows = afterUnknownOption;
    afterUnknownOption = false;
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      // `--stak prod`: the value of the unknown option, already reported with it.
      if (follows) continue;
      const hint = spec.strayArgumentHint?.(token.value) ?? NPM_HINT;
      problems.push(`unexpected argument '${token.value}' (${hint})`);
      continue;
    }
    const option = Object.hasOwn(spec.options, token.name) ? spec.options[token.name] : undefined;
    if (option === undefined) {
      problems.push(`unknown option '${token.rawName}'`);
      afterUnknownOption = token.rawName.startsWith("--") && token.value === undefined;
    } else if (option.type === "boolean" && token.value !== undefined) {
      problems.push(`option '${token.rawName}' takes no value (got '${token.value}')`);
    } else if (
      option.type === "string" &&
      (token.value === undefined ||
        (!token.inlineValue && token.value.startsWith("-") && !NEGATIVE_NUMBER.test(token.value)))
    ) {
      problems.push(`option '${token.rawName}' needs a value: ${flag(token.name, option)}`);
    }
  }
  if (problems.length > 0) return { kind: "bad", problems };
  const typed: Record<string, string | boolean | undefined> = {};
  for (const [name, option] of Object.entries(spec.options))
    typed[name] = option.type === "boolean" ? false : option.default;
  // Clean tokens are options of the spec only: every positional was a problem above.
  for (const token of tokens)
    if (token.kind === "option")
      typed[token.name] = spec.options[token.name].type === "boolean" ? true : token.value;
  return { kind: "ok", values: typed as CommandLineValues<O> };
}

/**
 * `interpretCommandLine` for a process: prints the help (stdout, exit 0) or the one problem line
 * and the usage line (stderr, exit `usageExitCode`), else returns the values.
 */
export function parseCommandLine<O extends Readonly<Record<string, OptionSpec>>>(
  spec: CommandSpec<O>,
  argv: readonly string[] = process.argv.slice(2),
): CommandLineValues<O> {
  const result = interpretCommandLine(spec, argv);
  if (result.kind === "ok") return result.values;
  if (result.kind === "help") {
    process.stdout.write(`${helpText(spec)}\n`);
    process.exit(0);
  }
  return exitWithUsageError(spec, result.problems);
}

/**
 * For errors found after parsing (a value out of range): the same one line plus usage, same exit.
 */
export function exitWithUsageError(
  spec: CommandSpec<Readonly<Record<string, OptionSpec>>>,
  problems: readonly string[],
): never {
  process.stderr.write(`${spec.name}: ${problems.join("; ")}\n${usageLine(spec)}\n`);
  process.exit(spec.usageExitCode ?? 2);
}

/**
 * An option's value as a whole number from `min` to `max`, or undefined when it is anything else.
 * Digits only: `Number()` alone would take `1e2`, `0x10`, ` 5` or `5.` for numbers.
 */
export function wholeNumberIn(
  text: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** An option's value as a decimal number (`30`, `2.5`) from `min` to `max`, or undefined. */
export function decimalIn(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}
