/**
 * The shape of `out/bench/<group>.json`: one file per figure group, each figure either measured
 * (value, samples, goal, pass) or blocked (the reason it cannot be measured here, and the goal it
 * will be held to). Pure.
 */
import { stableJson } from "../../../infra/catalog/stableJson";
import { round } from "./stats";

/**
 * MB is 10^6 bytes throughout (memory too: the stricter reading of an "80 MB" goal). `%` is a
 * ratio × 100, for a goal of a few percent, which three decimals of a ratio would blur.
 */
export type Unit = "s" | "ms" | "MB" | "MB/s" | "ratio" | "%" | "bytes";

/** Every goal of the bench is an upper bound. */
export interface Goal {
  readonly atMost: number;
  readonly unit: Unit;
}

/** Where a figure sits in a side-by-side comparison: which figure, of which engine, at which size. */
export interface Series {
  readonly figure: string;
  readonly engine: string;
  readonly scale?: number;
}

export interface MeasuredFigure {
  readonly name: string;
  readonly series?: Series;
  readonly title: string;
  readonly status: "measured";
  readonly unit: Unit;
  readonly value: number;
  /** How `value` was taken from `samples`. */
  readonly statistic: "median" | "min" | "max" | "single";
  readonly samples: readonly number[];
  readonly goal?: Goal;
  /** Present exactly when there is a goal. */
  readonly pass?: boolean;
  readonly note?: string;
}

export interface BlockedFigure {
  readonly name: string;
  readonly series?: Series;
  readonly title: string;
  readonly status: "blocked";
  readonly reason: string;
  readonly goal?: Goal;
}

export type Figure = MeasuredFigure | BlockedFigure;

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryMb: number;
  readonly loadAverage1m: number;
  readonly node: string;
  readonly platform: string;
}

export interface BenchGroup {
  readonly group: string;
  readonly measuredAt: string;
  readonly quick: boolean;
  readonly machine: Machine;
  /** Sizes, counts and tool versions the figures were taken with. */
  readonly settings: Readonly<Record<string, string | number | boolean | readonly number[]>>;
  readonly figures: readonly Figure[];
}

export interface MeasuredInput {
  readonly name: string;
  readonly series?: Series;
  readonly title: string;
  readonly unit: Unit;
  readonly value: number;
  readonly statistic: MeasuredFigure["statistic"];
  readonly samples: readonly number[];
  readonly goal?: Goal;
  readonly note?: string;
}

export function measured(input: MeasuredInput): MeasuredFigure {
  if (input.goal !== undefined && input.goal.unit !== input.unit) {
    throw new Error(
      `figure ${input.name} is in ${input.unit} but its goal is in ${input.goal.unit}`,
    );
  }
  const value = round(input.value);
  return {
    ...input,
    status: "measured",
    value,
    samples: input.samples.map((s) => round(s)),
    ...(input.goal !== undefined ? { pass: value <= input.goal.atMost } : {}),
  };
}

export function blocked(
  name: string,
  title: string,
  reason: string,
  goal?: Goal,
  series?: Series,
): BlockedFigure {
  return {
    name,
    title,
    status: "blocked",
    reason,
    ...(goal !== undefined ? { goal } : {}),
    ...(series !== undefined ? { series } : {}),
  };
}

export type Verdict = "pass" | "FAIL" | "info" | "blocked";

export function verdictOf(figure: Figure): Verdict {
  if (figure.status === "blocked") return "blocked";
  if (figure.pass === undefined) return "info";
  return figure.pass ? "pass" : "FAIL";
}

export function benchFileName(group: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(group))
    throw new Error(`bench group name '${group}' is not kebab-case`);
  return `${group}.json`;
}

export function serializeGroup(group: BenchGroup): string {
  return `${stableJson(group)}\n`;
}

/** One engine at one data size: what names its figures and whether the goals hold for it. */
export interface EngineFigureContext {
  readonly engine: string;
  readonly scale: number;
  /** How the size reads in titles: `(62 MB)`. */
  readonly at: string;
  /** Goals hold for this project's engine only; the others are measured beside it. */
  readonly isProject: boolean;
}

/**
 * A builder of one engine's figures at one size, so every group names them (`<figure>.scale<N>.<engine>`),
 * series them and sets their goals the same way: `value` in `unit`, from `samples`.
 */
export function engineFigure(context: EngineFigureContext) {
  return (
    figure: string,
    title: string,
    unit: Unit,
    value: number,
    samples: readonly number[],
    statistic: "single" | "max",
    goal?: number,
    note?: string,
  ): MeasuredFigure =>
    measured({
      name: `${figure}.scale${context.scale}.${context.engine}`,
      series: { figure, engine: context.engine, scale: context.scale },
      title: `${title} ${context.at}`,
      unit,
      value,
      statistic,
      samples,
      ...(goal !== undefined && context.isProject ? { goal: { atMost: goal, unit } } : {}),
      ...(note ? { note } : {}),
    });
}

/**
 * The blocked counterpart of `engineFigure`: the same name, series, title and goal (a bound in
 * `unit`), and instead of a value the reason it was not measured.
 */
export function engineBlockedFigure(context: EngineFigureContext) {
  return (
    figure: string,
    title: string,
    unit: Unit,
    reason: string,
    goal?: number,
  ): BlockedFigure =>
    blocked(
      `${figure}.scale${context.scale}.${context.engine}`,
      `${title} ${context.at}`,
      reason,
      goal !== undefined && context.isProject ? { atMost: goal, unit } : undefined,
      { figure, engine: context.engine, scale: context.scale },
    );
}
