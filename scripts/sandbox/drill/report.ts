/**
 * The drill report (`out/drill/report.json`): DESIGN.md section 6's fields first, then the detail
 * per service. A part that cannot run here is reported as blocked with the reason, never as passed.
 */
import type { StepResult } from "./steps";

export interface Blocked {
  readonly status: "blocked";
  readonly reason: string;
}

export interface DrillReport {
  readonly stack: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** PostgreSQL RPO/RTO and rows: null while the PostgreSQL part is blocked. */
  readonly rpoSeconds: number | null;
  readonly rtoSeconds: number | null;
  readonly rowsExpected: number | null;
  readonly rowsRestored: number | null;
  readonly redisKeysExpected: number;
  readonly redisKeysRestored: number;
  readonly configsRestored: { readonly expected: number; readonly restored: number; readonly files: readonly string[] };
  readonly postgres: Blocked | { readonly status: "ok" };
  readonly redis: {
    readonly rpoSeconds: number;
    readonly rtoSeconds: number;
    readonly writesAcknowledged: number;
    readonly writesRestored: number;
  };
  readonly steps: readonly StepResult[];
  readonly ok: boolean;
}
