/**
 * The stack a console command reports on, read as the synth reads it: `Pulumi.<stack>.yaml` (or
 * the file `--stack-file` names), validated and defaulted by the program's own config check. The
 * console takes the bucket, region, hosts, thresholds and engine from it, never from a host.
 */
import { resolve } from "node:path";
import { StackConfigError, type StackConfig } from "../../infra/config/stackConfig";
import { existingStackFile, StackFileError } from "../../infra/synth/stackFile";
import { REPO_ROOT, validatedStackConfig } from "../../infra/synth/synthesizeStack";

export interface ConsoleStack {
  /** The stack's name: its alarms are named `StellarBackup-<name>-<key>`. */
  readonly name: string;
  /** The stack file read. */
  readonly file: string;
  readonly config: StackConfig;
}

/**
 * The validated config of stack `name`, from `stackFile` when given (relative to the working
 * directory) else `Pulumi.<name>.yaml` in the repository; `{ problem }` (one line) when the file is
 * missing (naming the stacks that exist), unreadable, not a stack file, or its config does not
 * validate (every problem, joined). Other errors are thrown.
 */
export function readConsoleStack(
  name: string,
  stackFile?: string,
): ConsoleStack | { readonly problem: string } {
  try {
    const file = stackFile ? resolve(stackFile) : existingStackFile(REPO_ROOT, name);
    return { name, file, config: validatedStackConfig(file) };
  } catch (error) {
    if (error instanceof StackFileError) return { problem: error.message };
    if (error instanceof StackConfigError)
      return { problem: `stack ${name}: ${error.message.replace(/\n\s*/g, " ")}` };
    throw error;
  }
}
