/**
 * A figure group measured once per pgbench scale: each scale's measurement gives its figures and
 * the settings it was taken with, and the group gathers them under its own description.
 */
import type { BenchGroup, Figure } from "./figures";
import { machineConditions } from "./machine";

/** One scale's measurement: the cluster's size, which engine, and what it ran with. */
export interface ScaleMeasurement<M> {
  readonly measurement: M & { readonly databaseBytes: number; readonly engine: string };
  readonly settings: Readonly<Record<string, string | number>>;
}

/**
 * Runs `measure` for each of `scales` in order (one at a time: they share one sandbox), turns each
 * measurement into figures (`figuresOf`, told whether it is the project's engine, which carries the
 * goals) and returns the group `group` with `settings` after the per-scale ones.
 */
export async function perScaleGroup<M>(args: {
  readonly group: string;
  readonly scales: readonly number[];
  readonly quick: boolean;
  readonly measure: (scale: number) => Promise<ScaleMeasurement<M>>;
  readonly figuresOf: (
    measurement: ScaleMeasurement<M>["measurement"],
    project: boolean,
  ) => Figure[];
  readonly settings: BenchGroup["settings"];
}): Promise<BenchGroup> {
  const figures: Figure[] = [];
  const databaseBytes: number[] = [];
  const perScale: Record<string, string | number> = {};
  for (const scale of args.scales) {
    const { measurement, settings } = await args.measure(scale);
    databaseBytes.push(measurement.databaseBytes);
    Object.assign(perScale, settings);
    figures.push(...args.figuresOf(measurement, measurement.engine === "project"));
  }
  return {
    group: args.group,
    measuredAt: new Date().toISOString(),
    quick: args.quick,
    machine: machineConditions(),
    settings: { pgbenchScales: args.scales, databaseBytes, ...perScale, ...args.settings },
    figures,
  };
}
