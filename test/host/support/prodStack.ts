import type { StackConfig } from "../../../infra/config/stackConfig";
import { stackFilePath, validatedStackConfig } from "../../../infra/synth/synthesizeStack";

/** The validated config of `Pulumi.prod.yaml`, as the program sees it. */
export function prodStackConfig(): StackConfig {
  return validatedStackConfig(stackFilePath("prod"));
}
