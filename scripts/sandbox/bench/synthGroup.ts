/**
 * Figure group `synth`: the offline synth as a person runs it (`npm run synth`), timed from the
 * outside, process start to exit, N times. Goal: at most 5 s.
 */
import { join } from "node:path";
import { REPO_ROOT } from "../plan";
import { measured, type BenchGroup } from "./figures";
import { machineConditions } from "./machine";
import { kbToMb, measureProcess } from "./processProbe";
import { maximum, median, minimum } from "./stats";

export const SYNTH_GOAL_SECONDS = 5;

export interface SynthGroupOptions {
  readonly stack: string;
  readonly runs: number;
  /** Where each run writes its plan and artifacts (the sandbox then uses the last one). */
  readonly outDir: string;
  readonly quick: boolean;
  readonly progress: (message: string) => void;
}

/** `synth: stack 'prod': 109 resources in 2.52 s -> …` */
export function parseSynthLine(stdout: string): { resources: number; seconds: number } {
  const match = /synth: stack '[^']+': (\d+) resources in ([\d.]+) s/.exec(stdout);
  if (!match) throw new Error(`synth printed no summary line:\n${stdout}`);
  return { resources: Number(match[1]), seconds: Number(match[2]) };
}

export async function synthGroup(options: SynthGroupOptions): Promise<BenchGroup> {
  const walls: number[] = [];
  const inProgram: number[] = [];
  const rss: number[] = [];
  let resources = 0;
  for (let run = 1; run <= options.runs; run++) {
    options.progress(`synth run ${run}/${options.runs}`);
    const result = await measureProcess(
      process.execPath,
      [
        "--import",
        "tsx",
        join(REPO_ROOT, "infra", "synth", "main.ts"),
        "--stack",
        options.stack,
        "--out",
        options.outDir,
      ],
      { env: process.env as Record<string, string>, cwd: REPO_ROOT },
    );
    if (result.exitCode !== 0)
      throw new Error(`synth failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
    const line = parseSynthLine(result.stdout);
    resources = line.resources;
    walls.push(result.wallMs / 1000);
    inProgram.push(line.seconds);
    rss.push(kbToMb(result.peakRssKb));
  }
  const note = `node --import tsx infra/synth/main.ts --stack ${options.stack}: process start to exit`;
  return {
    group: "synth",
    measuredAt: new Date().toISOString(),
    quick: options.quick,
    machine: machineConditions(),
    settings: { stack: options.stack, runs: options.runs, resources },
    figures: [
      measured({
        name: "synthWallSecondsMedian",
        title: `offline synth, median of ${options.runs}`,
        unit: "s",
        value: median(walls),
        statistic: "median",
        samples: walls,
        goal: { atMost: SYNTH_GOAL_SECONDS, unit: "s" },
        note,
      }),
      measured({
        name: "synthWallSecondsMin",
        title: `offline synth, min of ${options.runs}`,
        unit: "s",
        value: minimum(walls),
        statistic: "min",
        samples: walls,
        goal: { atMost: SYNTH_GOAL_SECONDS, unit: "s" },
        note,
      }),
      measured({
        name: "synthProgramSecondsMedian",
        title: "synth program alone (as it prints), median",
        unit: "s",
        value: median(inProgram),
        statistic: "median",
        samples: inProgram,
        note: "the program's own figure: mocks, program, plan and artifacts, without Node.js and tsx start-up",
      }),
      measured({
        name: "synthPeakRssMb",
        title: "synth peak RSS, max",
        unit: "MB",
        value: maximum(rss),
        statistic: "max",
        samples: rss,
      }),
    ],
  };
}
