import { join } from "node:path";
import type { StackConfig } from "../../../infra/config/stackConfig";
import { validateStackConfig } from "../../../infra/config/validate";
import { readStackFile } from "../../../infra/synth/stackFile";
import { REPO_ROOT } from "./jobs";

/** The validated config of `Pulumi.prod.yaml`, as the program sees it. */
export function prodStackConfig(): StackConfig {
  const { config } = readStackFile(join(REPO_ROOT, "Pulumi.prod.yaml"));
  const prefix = "stellar-insights-backup:";
  const raw = Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );
  const result = validateStackConfig(raw, config["aws:region"]);
  if (!result.ok)
    throw new Error(`Pulumi.prod.yaml is invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}
