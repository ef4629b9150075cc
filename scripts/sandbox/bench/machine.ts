/** The conditions the figures were taken under: they mean little without them. */
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import type { Machine } from "./figures";

export function machineConditions(): Machine {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? "unknown",
    memoryMb: Math.round(totalmem() / 1024 ** 2),
    loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
    node: process.version,
    platform: `${platform()} ${release()}`,
  };
}
