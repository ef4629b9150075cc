/**
 * `npm run console -- <command> [options]`: the on-call console, run from an operator's laptop
 * with the operator's AWS credentials against a stack's bucket and CloudWatch. Commands:
 *
 *   status   where every host's backups stand (status/status.ts; `--help` for its options)
 *
 * `npm run console -- --help` lists the commands; an unknown or missing command exits 2 with one
 * line, like a bad option.
 */
import { usageLine } from "../cli/commandLine";
import { STATUS_COMMAND } from "./status/options";
import { runStatus } from "./status/status";

const COMMANDS: Readonly<
  Record<string, { summary: string; run(argv: readonly string[]): Promise<number> }>
> = {
  status: {
    summary:
      "where every host's backups stand: newest backups, recoverable window, figures, alarms",
    run: runStatus,
  },
};

const USAGE = "usage: npm run console -- <command> [options] [--help]";

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    USAGE,
    "",
    "The on-call console: reads a stack's backups, metrics and alarms with your AWS credentials.",
    "",
    "commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    `Each command answers --help: ${usageLine(STATUS_COMMAND)}`,
  ].join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--help" || name === "-h") {
    process.stdout.write(`${help()}\n`);
    return 0;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined || !Object.hasOwn(COMMANDS, name)) {
    const problem = name === undefined ? "no command given" : `unknown command '${name}'`;
    process.stderr.write(
      `console: ${problem}; commands: ${Object.keys(COMMANDS).join(", ")}\n${USAGE}\n`,
    );
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`console: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
