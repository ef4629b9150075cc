/**
 * A drill is a list of named, timed steps; each prints its progress and lands in the report, and
 * the table at the end is what an operator reads.
 */
import { secondsSince } from "../../lib/job/time";

/** Every step of the drill runs: a step that cannot is a failure with its reason, never skipped. */
export type StepStatus = "ok" | "failed";

export interface StepResult {
  readonly name: string;
  /** When the step started, in seconds since the drill started (the report's timeline). */
  readonly startSeconds: number;
  readonly seconds: number;
  readonly status: StepStatus;
  /** `status === "ok"`: kept for readers of the first report format. */
  readonly ok: boolean;
  /** What the step found, or why it failed. */
  readonly detail: string;
}

/** Seconds since `t0` (a `performance.now()` reading), to the millisecond, as the report shows them. */
export function stepSeconds(t0: number): number {
  return Number(secondsSince(t0).toFixed(3));
}

export class StepRecorder {
  readonly steps: StepResult[] = [];
  private readonly started = performance.now();
  /** The step under way, if one is. */
  private running: string | undefined;

  constructor(
    private readonly total: number,
    private readonly print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  /** Seconds since the drill started. */
  elapsedSeconds(at = performance.now()): number {
    return Number(((at - this.started) / 1000).toFixed(3));
  }

  /** Where the drill is, for a person: `at step 8/18 (name)`, `after step 3/18 (name)`. */
  where(): string {
    const n = this.steps.length;
    if (this.running !== undefined) return `at step ${n + 1}/${this.total} (${this.running})`;
    return n === 0 ? "before step 1" : `after step ${n}/${this.total} (${this.steps[n - 1].name})`;
  }

  private elapsed(): string {
    return `${this.elapsedSeconds().toFixed(1)} s`;
  }

  /** Runs `body`; a thrown error marks the step failed and is rethrown so the drill stops. */
  async run<T>(name: string, body: () => Promise<{ value: T; detail: string }>): Promise<T> {
    this.print(`[${this.steps.length + 1}/${this.total}] ${name} … (drill at ${this.elapsed()})`);
    const t0 = performance.now();
    this.running = name;
    try {
      const { value, detail } = await body();
      this.record(name, t0, "ok", detail);
      return value;
    } catch (error) {
      this.record(name, t0, "failed", error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  private record(name: string, t0: number, status: "ok" | "failed", detail: string): void {
    this.running = undefined;
    const seconds = stepSeconds(t0);
    const startSeconds = this.elapsedSeconds(t0);
    this.steps.push({ name, startSeconds, seconds, status, ok: status === "ok", detail });
    this.print(`    ${status === "ok" ? "ok" : "FAILED"} in ${seconds.toFixed(2)} s: ${detail}`);
  }
}

const RESULT: Readonly<Record<StepStatus, string>> = {
  ok: "ok",
  failed: "FAILED",
};

export function stepTable(steps: readonly StepResult[]): string {
  const width = Math.max(4, ...steps.map((s) => s.name.length));
  const lines = [
    `${"step".padEnd(width)}  ${"seconds".padStart(8)}  result`,
    `${"-".repeat(width)}  ${"-".repeat(8)}  ${"-".repeat(7)}`,
    ...steps.map(
      (s) => `${s.name.padEnd(width)}  ${s.seconds.toFixed(2).padStart(8)}  ${RESULT[s.status]}`,
    ),
  ];
  return lines.join("\n");
}
