/**
 * `npm run console -- status` command line: which stack, which hosts, what form, and the moment
 * ages are measured at. Everything is checked before any AWS call: a bad option, an unreadable
 * stack or a host the stack does not name exits 2 with one line.
 */
import { exitWithUsageError, parseCommandLine } from "../../cli/commandLine";
import { parseTargetTime } from "../../lib/postgres/targetTime";
import { readConsoleStack, type ConsoleStack } from "../stack";

export const STATUS_COMMAND = {
  command: "npm run console -- status",
  name: "console status",
  summary:
    "Where the backups stand, per host of the stack and per store (postgres, wal, redis, configs):\n" +
    "the newest backup in the bucket and its age against the store's limit, PostgreSQL's recoverable\n" +
    "window, the hosts' latest WAL archive lag, restore-test RTO and disk use from CloudWatch, and\n" +
    "the stack's alarms in ALARM with their runbook sections. Runs with the operator's AWS\n" +
    "credentials (the SDK's default chain, AWS_ENDPOINT_URL honoured) in the stack's region.\n" +
    "Sources of every figure: docs/console.md.",
  options: {
    stack: { type: "string", value: "NAME", default: "prod", description: "stack to report on" },
    "stack-file": {
      type: "string",
      value: "FILE",
      description: "read the stack's config from FILE instead of Pulumi.NAME.yaml",
    },
    host: {
      type: "string",
      value: "ID",
      description: "only this host (one of the stack's `hosts`; default: every one)",
    },
    json: {
      type: "boolean",
      description: "print one JSON document (its fields: docs/console.md) instead of the table",
    },
    now: {
      type: "string",
      value: "TIME",
      description:
        "measure ages as at TIME, with an offset (2026-12-09T08:00:00Z), not the clock: what\nthe ages will be then; metrics are read up to TIME, alarms as they stand",
    },
  },
  exitCodes: {
    0: "every store within its limit, every figure within its alarm's threshold, no alarm in ALARM",
    1: "something is wrong with the backups: a store late (or empty), a figure over its alarm's\nthreshold, or an alarm in ALARM (the table or the JSON says which); or AWS could not be read",
    2: "bad command line, unknown or invalid stack, or a host the stack does not name (checked\nbefore any AWS call)",
  },
} as const;

export interface StatusOptions {
  readonly stack: ConsoleStack;
  /** The hosts reported on, in the stack's order. */
  readonly hosts: readonly string[];
  readonly json: boolean;
  /** The moment ages are measured at, and the end of the metrics' window. */
  readonly now: Date;
}

/** Reads the command line and the stack; exits 2 naming every problem, 0 after `--help`. */
export function parseStatusOptions(argv: readonly string[]): StatusOptions {
  const values = parseCommandLine(STATUS_COMMAND, argv);
  const problems: string[] = [];
  let now = new Date();
  if (values.now !== undefined) {
    const parsed = parseTargetTime(values.now);
    if ("problem" in parsed) problems.push(parsed.problem.replace(/^TARGET_TIME=/, "--now "));
    else now = parsed.time;
  }
  if (problems.length > 0) return exitWithUsageError(STATUS_COMMAND, problems);
  const stack = readConsoleStack(values.stack, values["stack-file"]);
  if ("problem" in stack) return exitWithUsageError(STATUS_COMMAND, [stack.problem]);
  const known = Object.keys(stack.config.hosts);
  if (values.host !== undefined && !known.includes(values.host))
    return exitWithUsageError(STATUS_COMMAND, [
      `--host '${values.host}' is not a host of stack ${stack.name}; its hosts: ${known.join(", ")}`,
    ]);
  return {
    stack,
    hosts: values.host !== undefined ? [values.host] : known,
    json: values.json,
    now,
  };
}
