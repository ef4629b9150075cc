/**
 * One program run renders the host config once and checks it once: the stack config's validation
 * renders it for the stack, and the host plane ships that same config.
 */
import { expect, test, vi } from "vitest";
import * as catalogHostConfig from "../../infra/catalog/hostConfig";
import * as hostConfigFile from "../../infra/content/host/hostConfigFile";
import { synthesizeStack } from "../../infra/synth/synthesizeStack";

test("the prod program renders and checks its host config once", { timeout: 120_000 }, async () => {
  const renders = [
    vi.spyOn(hostConfigFile, "defaultHostConfig"),
    vi.spyOn(hostConfigFile, "renderHostConfig"),
    vi.spyOn(hostConfigFile, "hostConfigFile"),
  ];
  const checks = vi.spyOn(catalogHostConfig, "parseHostConfig");
  const plan = await synthesizeStack("prod");
  const calls = renders.reduce((n, spy) => n + spy.mock.calls.length, 0);
  expect(calls, "host config renders").toBe(1);
  expect(checks, "host config checks").toHaveBeenCalledTimes(1);
  expect(renders[0]).toHaveBeenCalledWith("prod", expect.anything());
  // The file the plan ships is the one that was checked.
  const shipped = plan.resources.find((r) => r.name === "host-plane-artifact-host-config");
  const checked = checks.mock.results[0].value as catalogHostConfig.HostConfigResult;
  if (!checked.ok) throw new Error("prod's host config was refused");
  expect(shipped?.inputs.content).toBe(hostConfigFile.serializeHostConfig(checked.config));
});
