/**
 * `npm run bench -- [--quick] [--groups LIST] [--scales 20,64] [--engines LIST] [--out DIR]
 * [--stack prod]`: the performance figures, measured on this machine, one JSON per figure group in
 * `out/bench/` (synth, health-check, engines, backup-plans, standby-backup), then a table of
 * figure, goal and verdict and the engines side by side.
 *
 * A benchmark, not a test: it exits 0 when every figure was taken (a missed goal shows as FAIL
 * in the table and `pass: false` in the JSON), 1 when a measurement itself broke, 2 for a bad
 * command line.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { OutDirError, prepareOutDir } from "../../../infra/synth/outDir";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { exitWithUsageError, parseCommandLine, wholeNumberIn } from "../../cli/commandLine";
import { REPO_ROOT, requireStackFile } from "../plan";
import { installSandboxTools } from "../installTools";
import { tearDownOnInterruption } from "../interruption";
import { SandboxSlot } from "../sandboxSlot";
import { ENGINE_KEYS, enginesGroup } from "./enginesGroup";
import { formatEngineTable } from "./engineTable";
import { backupPlansGroup } from "./backupPlansGroup";
import { benchFileName, serializeGroup, type BenchGroup } from "./figures";
import { healthCheckGroup } from "./healthCheckGroup";
import { standbyBackupGroup } from "./standbyBackupGroup";
import { synthGroup } from "./synthGroup";
import { formatBlockedReasons, formatTable } from "./table";

/**
 * pgbench scales 20 and 64: about 320 MB and 1 GB of cluster, the bench's two sizes. The write
 * load under which RPO is sampled lasts a full minute (the reference engines' archive_timeout);
 * --quick is a smoke run of a few minutes.
 */
const FULL = {
  synthRuns: 3,
  healthCheckRuns: 5,
  pgbenchScales: [20, 64],
  transferRuns: 3,
  load: { seconds: 75, pgbenchRate: 50, probeIntervalMs: 100, sampleIntervalMs: 500 },
} as const;
const QUICK = {
  synthRuns: 2,
  healthCheckRuns: 3,
  pgbenchScales: [2],
  transferRuns: 2,
  load: { seconds: 20, pgbenchRate: 50, probeIntervalMs: 100, sampleIntervalMs: 500 },
} as const;

/** The figure groups, in the order they run. */
const GROUP_KEYS = ["synth", "health-check", "engines", "backup-plans", "standby-backup"] as const;
type GroupKey = (typeof GROUP_KEYS)[number];
/** The groups measured on the one sandbox they share (synth needs none, standby-backup its own). */
const SHARED_SANDBOX_GROUPS: readonly GroupKey[] = ["health-check", "engines", "backup-plans"];

const COMMAND = {
  command: "npm run bench --",
  name: "bench",
  summary:
    "Measures the project's performance figures on this machine (offline synth, health-check cold start\n" +
    "and memory, and the PostgreSQL engines side by side: backup and restore against raw transfers,\n" +
    "bytes stored, RPO under load; a backup plan's differentials against fulls; what a backup from a\n" +
    "streaming standby reads from the primary) and writes one JSON per figure group, then a table of\n" +
    "figure, goal and verdict. A benchmark, not a test: a missed goal prints FAIL.",
  options: {
    quick: { type: "boolean", description: "fewer runs and the smallest database: a smoke run" },
    groups: {
      type: "string",
      value: "LIST",
      description: `figure groups to measure, comma-separated (default: all of ${GROUP_KEYS.join(", ")})`,
    },
    scales: {
      type: "string",
      value: "LIST",
      description: "pgbench scales, comma-separated whole numbers (default: 20,64; --quick: 2)",
    },
    engines: {
      type: "string",
      value: "LIST",
      description: `PostgreSQL engines to compare, comma-separated (default: all of ${ENGINE_KEYS.join(", ")})`,
    },
    out: { type: "string", value: "DIR", description: "where the JSON goes (default: out/bench)" },
    stack: { type: "string", value: "NAME", default: "prod", description: "stack to measure" },
  },
  exitCodes: {
    0: "every figure was measured (missed goals show as FAIL)",
    1: "a measurement itself broke, or the sandbox's tools could not be installed",
    2: "bad command line, unknown stack, or an --out that cannot be written",
    130: "interrupted by Ctrl-C (143: SIGTERM, 141: stdout closing, 129: its parent gone); sandbox stopped, temp dirs removed",
  },
} as const;

/**
 * The keys `value` lists, comma-separated, each one of `allowed`; all of `allowed` when the option
 * is absent. Exits with a usage error (2) naming `option` for an unknown or empty list.
 */
function chosenKeys<K extends string>(
  option: string,
  value: string | undefined,
  allowed: readonly K[],
  what: string,
): K[] {
  const keys = (value ?? allowed.join(",")).split(",");
  const unknown = keys.filter((k) => !(allowed as readonly string[]).includes(k));
  if (unknown.length > 0 || keys.length === 0)
    exitWithUsageError(COMMAND, [
      `${option} '${value}': '${unknown.join(",")}' is not ${what}; allowed: ${allowed.join(", ")}`,
    ]);
  return keys as K[];
}

function parseOptions() {
  const values = parseCommandLine(COMMAND);
  const sizes = values.quick ? QUICK : FULL;
  const scales =
    values.scales === undefined
      ? [...sizes.pgbenchScales]
      : values.scales.split(",").map((s) => wholeNumberIn(s, 1, Number.MAX_SAFE_INTEGER));
  if (!scales.every((s) => s !== undefined))
    return exitWithUsageError(COMMAND, [
      `--scales '${values.scales}' must be whole numbers >= 1, comma-separated`,
    ]);
  const engines = chosenKeys("--engines", values.engines, ENGINE_KEYS, "an engine");
  const groups = chosenKeys("--groups", values.groups, GROUP_KEYS, "a figure group");
  requireStackFile(COMMAND, values.stack);
  const out = resolve(values.out ?? join(REPO_ROOT, "out", "bench"));
  // The results are written at the end: an --out they cannot go to is refused before the run.
  try {
    prepareOutDir(out);
  } catch (error) {
    if (error instanceof OutDirError) exitWithUsageError(COMMAND, [error.message]);
    throw error;
  }
  return {
    engines,
    groups,
    quick: values.quick,
    stack: values.stack,
    out,
    sizes: { ...sizes, pgbenchScales: scales },
  };
}

async function main(): Promise<void> {
  // The SDK's "upgrade Node.js" notice would interleave with the progress lines.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const options = parseOptions();
  installSandboxTools(COMMAND.name);
  const started = performance.now();
  const progress = (message: string) =>
    process.stderr.write(
      `bench [${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}\n`,
    );
  const work = mkdtempSync(join(tmpdir(), "stellar-bench-"));
  const slot = new SandboxSlot();
  const stopAll = async () => {
    const stopped = await slot.stop();
    rmSync(work, { recursive: true, force: true });
    return `${stopped}, ${work} removed`;
  };
  const interruption = tearDownOnInterruption({ name: COMMAND.name, tearDown: stopAll });
  let code = 0;
  try {
    const groups: BenchGroup[] = [];
    const wanted = (group: GroupKey) => options.groups.includes(group);
    // Without the synth group, the sandbox synthesizes its plan here once (loadPlan).
    const synthDir = join(work, "synth", options.stack);
    if (wanted("synth"))
      groups.push(
        await synthGroup({
          stack: options.stack,
          runs: options.sizes.synthRuns,
          outDir: synthDir,
          quick: options.quick,
          progress,
        }),
      );
    let engines: BenchGroup | undefined;
    if (SHARED_SANDBOX_GROUPS.some(wanted)) {
      progress("starting the sandbox (moto, PostgreSQL, Redis)");
      const sandbox = await slot.start({ stack: options.stack, synthDir, seed: false });
      if (wanted("health-check"))
        groups.push(
          await healthCheckGroup({
            sandbox,
            runs: options.sizes.healthCheckRuns,
            quick: options.quick,
            progress,
          }),
        );
      if (wanted("engines")) {
        engines = await enginesGroup({
          sandbox,
          scales: options.sizes.pgbenchScales,
          engines: options.engines,
          transferRuns: options.sizes.transferRuns,
          load: options.sizes.load,
          workDir: work,
          quick: options.quick,
          progress,
        });
        groups.push(engines);
      }
      if (wanted("backup-plans"))
        groups.push(
          await backupPlansGroup({
            sandbox,
            scales: options.sizes.pgbenchScales,
            quick: options.quick,
            progress,
          }),
        );
    }
    if (wanted("standby-backup")) {
      // A standby replaying WAL would load the machine under the other groups' figures: it runs
      // only in a sandbox of its own, after the shared one is gone.
      await slot.stop();
      progress("starting a sandbox with a streaming standby (moto, PostgreSQL, its standby)");
      const sandbox = await slot.start({
        stack: options.stack,
        synthDir,
        seed: false,
        redis: false,
        standby: { whenStandbyUnavailable: "fail" },
      });
      groups.push(
        await standbyBackupGroup({
          sandbox,
          scales: options.sizes.pgbenchScales,
          quick: options.quick,
          progress,
        }),
      );
    }
    for (const group of groups)
      writeFileSync(join(options.out, benchFileName(group.group)), serializeGroup(group));
    const machine = groups[0].machine;
    const tabled = groups.filter((g) => g !== engines);
    if (tabled.length > 0) console.log(formatTable(tabled));
    const reasons = formatBlockedReasons(tabled);
    if (reasons) console.log(`\n${reasons}`);
    if (engines) {
      console.log(
        `\nPostgreSQL engines side by side (${engines.settings.checkpoint}; ${engines.settings.endpoint}):\n`,
      );
      console.log(formatEngineTable(engines));
    }
    console.log(
      `\n${machine.cpus} x ${machine.cpuModel}, ${machine.memoryMb} MB RAM, load ${machine.loadAverage1m}, Node.js ${machine.node}; ` +
        `${options.quick ? "quick" : "full"} run of ${options.groups.join(", ")} in ${((performance.now() - started) / 1000).toFixed(0)} s -> ${options.out}`,
    );
  } catch (error) {
    if (interruption.cause === undefined)
      console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    code = 1;
  } finally {
    await stopAll();
  }
  interruption.exit(code);
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
