/**
 * JSON-lines logging: one object per line on stdout (`time`, `level`, `job`, `msg`, `fields`), so
 * the SSM agent's output and CloudWatch Logs can be searched by field. Values under keys that name
 * secrets are replaced before anything is written.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  readonly job: string;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const SECRET_KEY = /pass(word|wd)?|secret|token|credential|authorization|cookie|private/i;
export const REDACTED = "[redacted]";

function clean(value: unknown, depth: number): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : clean(v, depth + 1)]),
  );
}

export function logLine(
  job: string,
  level: LogLevel,
  msg: string,
  fields: LogFields | undefined,
  time: Date,
): string {
  const record: Record<string, unknown> = { time: time.toISOString(), level, job, msg };
  if (fields && Object.keys(fields).length > 0) record.fields = clean(fields, 0);
  return JSON.stringify(record);
}

/** One line as `logLine` writes it, read back. */
export interface LogRecord {
  readonly time: string;
  readonly level: LogLevel;
  readonly job: string;
  readonly msg: string;
  readonly fields?: Record<string, unknown>;
}

/**
 * The JSON lines of a job's stdout, parsed, in order; its other lines (the summary) are left out.
 * Throws a SyntaxError on a line that starts with `{` but is not JSON.
 */
export function parseLogLines(stdout: string): LogRecord[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogRecord);
}

export function createLogger(
  job: string,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  now: () => Date = () => new Date(),
): Logger {
  const at = (level: LogLevel) => (msg: string, fields?: LogFields) =>
    write(logLine(job, level, msg, fields, now()));
  return { job, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
