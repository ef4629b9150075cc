/**
 * apply-config: the install document's last step. It makes the running PostgreSQL and Redis use
 * the managed config fragments just installed: PostgreSQL by reload, Redis by CONFIG SET, and a
 * restart only for a managed setting the server itself says it cannot change while running (the
 * log names those settings). A second run with the same files changes nothing and restarts
 * nothing. A service that is not running is left alone: it reads the fragment when it starts.
 *
 * Not a catalog job: a host step (runner HOST_STEP_KEYS). It logs and locks like a job but
 * publishes no metrics and has no alarm; its failure fails the install command.
 *
 * Parameters and exit codes: USAGE below (`--help`).
 */
import { applyPostgresConf } from "./apply-config/applyPostgresConf";
import { applyRedisConf } from "./apply-config/applyRedisConf";
import { JobError, errorMessage } from "../lib/job/errors";
import { describeReport, type ApplyReport } from "./apply-config/managedConfig";
import type { JobUsage } from "../lib/job/jobCommand";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";

async function apply(ctx: JobContext): Promise<JobOutcome> {
  ctx.params.check();
  const reports: ApplyReport[] = [];
  const failures: unknown[] = [];
  // Independent services: a problem with one must not keep the other from converging.
  for (const step of [applyPostgresConf, applyRedisConf]) {
    try {
      reports.push(await step(ctx.config, ctx.log));
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    const hints = failures.flatMap((f) => (f instanceof JobError && f.hint ? [f.hint] : []));
    throw new JobError(failures.map(errorMessage).join("; "), hints.join("; ") || undefined);
  }
  return { summary: `apply-config: ${reports.map(describeReport).join("; ")}` };
}

function main(): Promise<number> {
  return runJob("apply-config", apply);
}

const USAGE: JobUsage = {
  summary:
    "Makes the running PostgreSQL and Redis use the managed config fragments just installed (reload,\n" +
    "CONFIG SET, a restart only where the server says it needs one); the install document's last step.",
  exitCodes: { 0: "both services run the managed values, or are not running" },
};

exitWith("apply-config", USAGE, main);
