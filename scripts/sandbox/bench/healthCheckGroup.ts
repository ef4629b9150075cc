/**
 * Figure group `health-check`: the bundled job a host runs every 5 minutes, started the way the SSM
 * document starts it (`node <bundle>`) against the sandbox. Goals: cold start at most
 * 120 ms, peak RSS at most 60 MB (the median of the runs): the job runs on hosts that exist to serve
 * PostgreSQL, beside it, every few minutes.
 *
 * Cold start is process start to the job's first log line ("started": Node.js up, bundle loaded,
 * host config read). The whole run of a fast check subset (one S3 request, statfs, and the
 * PutMetricData call every run makes) is reported beside it; it mostly measures moto's latency.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { BUNDLE_DIR, bundleJobs } from "../../../infra/build/bundleJobs";
import { REPO_ROOT } from "../plan";
import type { Sandbox } from "../sandbox";
import { measured, type BenchGroup } from "./figures";
import { machineConditions } from "./machine";
import { kbToMb, measureProcess, type ProcessMeasurement } from "./processProbe";
import { maximum, median } from "./stats";

export const COLD_START_GOAL_MS = 120;
export const PEAK_RSS_GOAL_MB = 60;
/** Checks that need only the bucket and the local disk: the job's own cost, little else. */
export const FAST_CHECKS = "s3,disk";

export interface HealthCheckGroupOptions {
  readonly sandbox: Sandbox;
  readonly runs: number;
  readonly quick: boolean;
  readonly progress: (message: string) => void;
}

/** The shipped bundle, built first when a fresh clone has none yet. */
export function healthCheckBundle(): string {
  const bundle = join(REPO_ROOT, BUNDLE_DIR, "health-check.mjs");
  if (!existsSync(bundle)) bundleJobs();
  return bundle;
}

interface Variant {
  readonly label: string;
  /** Arguments to `node`. */
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly exitOk: (code: number) => boolean;
}

async function runAll(
  variant: Variant,
  runs: number,
  progress: (message: string) => void,
): Promise<ProcessMeasurement[]> {
  const results: ProcessMeasurement[] = [];
  for (let run = 1; run <= runs; run++) {
    progress(`${variant.label} run ${run}/${runs}`);
    const result = await measureProcess(process.execPath, variant.args, { env: variant.env });
    if (!variant.exitOk(result.exitCode) || result.firstLineMs === undefined) {
      throw new Error(`${variant.label} exited ${result.exitCode}: ${result.stderr.trim()}`);
    }
    results.push(result);
  }
  return results;
}

export async function healthCheckGroup(options: HealthCheckGroupOptions): Promise<BenchGroup> {
  const bundle = healthCheckBundle();
  const base = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/root",
    ...options.sandbox.env,
  };
  const run = (variant: Variant) => runAll(variant, options.runs, options.progress);
  const fast = await run({
    label: `health-check ${FAST_CHECKS}`,
    args: [bundle],
    env: { ...base, CHECKS: FAST_CHECKS },
    exitOk: (code) => code === 0,
  });
  // Every check, PostgreSQL and Redis included (CRITICAL, exit 2, where the sandbox has no PostgreSQL backup yet).
  const all = await run({
    label: "health-check all checks",
    args: [bundle],
    env: base,
    exitOk: (code) => code <= 2,
  });
  // What Node.js alone costs here, so the job's own share of the figures can be read off.
  const bare = await run({
    label: "bare Node.js",
    args: ["-e", "console.log('up')"],
    env: { PATH: base.PATH },
    exitOk: (code) => code === 0,
  });

  const coldStarts = fast.map((r) => r.firstLineMs as number);
  const fastRuns = fast.map((r) => r.wallMs);
  const allRuns = all.map((r) => r.wallMs);
  const rss = (runs: readonly ProcessMeasurement[]) => runs.map((r) => kbToMb(r.peakRssKb));
  const bareStarts = bare.map((r) => r.firstLineMs as number);
  return {
    group: "health-check",
    measuredAt: new Date().toISOString(),
    quick: options.quick,
    machine: machineConditions(),
    settings: {
      bundle: join(BUNDLE_DIR, "health-check.mjs"),
      bundleBytes: statSync(bundle).size,
      runsPerVariant: options.runs,
      fastChecks: FAST_CHECKS,
      peakRssSource: fast[0].rssSource,
      endpoint: "moto_server on 127.0.0.1",
    },
    figures: [
      measured({
        name: "coldStartMsMedian",
        title: `health-check cold start, median of ${options.runs}`,
        unit: "ms",
        value: median(coldStarts),
        statistic: "median",
        samples: coldStarts,
        goal: { atMost: COLD_START_GOAL_MS, unit: "ms" },
        note: "process start to the first log line (Node.js up, bundle loaded, host config read); the first sample is the coldest",
      }),
      measured({
        name: "coldStartMsMax",
        title: `health-check cold start, worst of ${options.runs}`,
        unit: "ms",
        value: maximum(coldStarts),
        statistic: "max",
        samples: coldStarts,
        goal: { atMost: COLD_START_GOAL_MS, unit: "ms" },
      }),
      measured({
        name: "fastRunMsMedian",
        title: `health-check run (CHECKS=${FAST_CHECKS}), median`,
        unit: "ms",
        value: median(fastRuns),
        statistic: "median",
        samples: fastRuns,
        note: "process start to exit: cold start, one S3 request, statfs, PutMetricData, all against moto",
      }),
      measured({
        name: "allChecksRunMsMedian",
        title: "health-check run (all checks), median",
        unit: "ms",
        value: median(allRuns),
        statistic: "median",
        samples: allRuns,
        note: "process start to exit with every check: PostgreSQL, Redis and S3 listings included (CRITICAL where no PostgreSQL backup exists yet)",
      }),
      measured({
        name: "fastPeakRssMbMedian",
        title: `health-check peak RSS (CHECKS=${FAST_CHECKS}), median of ${options.runs}`,
        unit: "MB",
        value: median(rss(fast)),
        statistic: "median",
        samples: rss(fast),
        goal: { atMost: PEAK_RSS_GOAL_MB, unit: "MB" },
      }),
      measured({
        name: "allChecksPeakRssMbMedian",
        title: `health-check peak RSS (all checks), median of ${options.runs}`,
        unit: "MB",
        value: median(rss(all)),
        statistic: "median",
        samples: rss(all),
        goal: { atMost: PEAK_RSS_GOAL_MB, unit: "MB" },
        note: "the scheduled run: every check, with the PostgreSQL client and the Redis probe in use",
      }),
      measured({
        name: "allChecksPeakRssMbMax",
        title: "health-check peak RSS (all checks), worst",
        unit: "MB",
        value: maximum(rss(all)),
        statistic: "max",
        samples: rss(all),
      }),
      measured({
        name: "bareNodeStartMsMedian",
        title: "bare Node.js start to first line, median",
        unit: "ms",
        value: median(bareStarts),
        statistic: "median",
        samples: bareStarts,
        note: "node -e \"console.log('up')\": the floor under the job's cold start",
      }),
      measured({
        name: "bareNodePeakRssMbMax",
        title: "bare Node.js peak RSS, max",
        unit: "MB",
        value: maximum(rss(bare)),
        statistic: "max",
        samples: rss(bare),
        note: "the floor under the job's peak RSS",
      }),
    ],
  };
}
