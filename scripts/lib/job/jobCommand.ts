/**
 * What `node <job>.mjs --help` prints for a host job, and how a bad command line ends: jobs take
 * no options (the SSM documents pass their parameters as environment variables), so any argument
 * other than `--help` is a usage error with the jobs' own usage exit code, 64, not 2: health-check
 * already means "critical" by 2, and on a host 64 is what every job returns for bad input. A
 * stray word gets the host jobs' own hint (`jobArgumentHint`), not the npm tools' one.
 */
import { HOST_PATHS } from "../../../infra/catalog/documents";
import type { CommandSpec } from "../../cli/commandLine";
import { EXIT } from "./errors";
import { CONFIG_ENV } from "./hostConfig";

export interface JobUsage {
  /** What the job does, for the person reading `--help`. */
  readonly summary: string;
  /** The job's parameters: environment variable → meaning, allowed values and default. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Exit codes the job adds to the common ones (health-check: 1 warning, 2 critical). */
  readonly exitCodes?: Readonly<Record<number, string>>;
}

/** `TARGET=latest`: a parameter typed as an argument (group 1 is its name). */
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;

/**
 * Why a host job refuses the stray word `argument`, and how to pass it instead; `command` is what
 * runs the job (`node /opt/stellar-insights-backup/jobs/pg-restore.mjs`). A parameter typed as an
 * argument (`TARGET=latest`) is shown moved in front of the command, where the shell puts it in
 * the environment: `TARGET=latest node …/pg-restore.mjs`. Through SSM, parameters are the
 * document's parameters. Pure.
 */
export function jobArgumentHint(command: string, argument: string): string {
  const ssm = "through SSM, set them as the document's parameters";
  return ASSIGNMENT.test(argument)
    ? `job parameters come from the environment: ${argument} ${command}; ${ssm}`
    : `host jobs take no arguments: parameters come from the environment, NAME=value ${command} (--help lists them); ${ssm}`;
}

/** The command-line contract of job `job` (its bundle is `<jobsDir>/<job>.mjs` on a host). */
export function jobCommand(job: string, usage: JobUsage): CommandSpec<Record<string, never>> {
  const command = `node ${HOST_PATHS.jobsDir}/${job}.mjs`;
  return {
    command,
    name: job,
    summary: `${usage.summary}\nParameters come from the environment, as the job's SSM document sets them.`,
    options: {},
    environment: {
      ...usage.parameters,
      [CONFIG_ENV]: `host config file (default: ${HOST_PATHS.configFile})`,
    },
    exitCodes: {
      [EXIT.ok]: "done",
      [EXIT.failed]: "failed: the last stderr line says what broke and what to do next",
      ...usage.exitCodes,
      [EXIT.usage]: "bad command line, parameters or host config: nothing was done",
      [EXIT.busy]: "another run of this job holds its lock: nothing was done",
    },
    usageExitCode: EXIT.usage,
    strayArgumentHint: (argument) => jobArgumentHint(command, argument),
  };
}
