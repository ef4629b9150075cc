/**
 * pg-engine-setup: the install document's PostgreSQL engine step (a host step: no schedule, no
 * metrics; a failure fails the install, which pages). With STEP=setup (before apply-config) it
 * checks the engine's version, renders its config for this host and creates this cluster's place
 * in every repository (idempotent; refused when a repository holds another cluster). With
 * STEP=check (after apply-config has put archive_command in place) it archives one WAL segment
 * and finds it in every repository: an engine that cannot archive fails the install.
 *
 * Parameters: JOB_PARAMETERS in infra/catalog/jobParameters.ts (`--help` lists them).
 */
import { readFile } from "node:fs/promises";
import { engineFor } from "../lib/engines";
import { writeEngineConfigText } from "../lib/engines/engineProcess";
import { JobError } from "../lib/job/errors";
import { engineSecrets } from "../lib/postgres/engineSecrets";
import type { JobUsage } from "../lib/job/jobCommand";
import { exitWith, runJob, type JobContext, type JobOutcome } from "../lib/job/runner";
import { JOB_PARAMETERS, parameterUsage } from "../../infra/catalog/jobParameters";

const PARAMETERS = JOB_PARAMETERS["pg-engine-setup"];

async function setup(ctx: JobContext): Promise<JobOutcome> {
  const step = ctx.params.choice(PARAMETERS.step);
  ctx.params.check();
  const engine = engineFor(ctx.config, ctx.hostId);
  const version = await engine.requireInstalled();
  const title = `${engine.descriptor.title} ${version}`;
  if (step === "check") {
    await engine.check();
    return { summary: `${title}: WAL archiving works into every repository` };
  }
  const { engine: cfg } = ctx.config.postgres;
  // The host config holds no secrets: static keys (the sandbox) come from this step's environment,
  // the repository passphrase (client-side encryption) from SSM Parameter Store, in the replica's
  // region when the host's own cannot give it (a host rebuilt there with the primary's region gone).
  const secrets = await engineSecrets(ctx.config, ctx.env, ctx.log);
  // archive_command reads this file: a new one that cannot open the repository (a changed
  // passphrase, a cipher turned on over an existing repository) must not replace a working one.
  // An engine that reads no config file has none to keep.
  const file = cfg.configFile;
  const previous =
    file === undefined ? undefined : await readFile(file, "utf8").catch(() => undefined);
  await engine.writeConfig(secrets);
  let ready: string;
  try {
    ready = await engine.setup(ctx.log);
  } catch (error) {
    if (file === undefined || previous === undefined || !(error instanceof JobError)) throw error;
    await writeEngineConfigText(ctx.config, previous);
    throw new JobError(
      `${error.message}. The previous engine config was put back in ${file}, so WAL archiving goes on as before`,
      error.hint,
    );
  }
  const encrypted =
    secrets.repositoryCipherPass !== undefined
      ? `; the S3 repository is encrypted with the passphrase in ${ctx.config.clientSideEncryption?.cipherPassParameter}`
      : "";
  return {
    summary: `${title}: ${file === undefined ? "" : `config written to ${file}; `}${ready}${encrypted}`,
  };
}

const USAGE: JobUsage = {
  summary:
    "The install document's PostgreSQL engine step: config and repositories (setup), or an archive round trip (check).",
  parameters: parameterUsage(PARAMETERS),
};

exitWith("pg-engine-setup", USAGE, () => runJob("pg-engine-setup", setup));
