/**
 * The drill report (`out/drill/report.json`). Top level: DESIGN.md section 6's figures, which are
 * PostgreSQL's (RPO, RTO, rows; null while its part cannot run) plus the Redis key counts that
 * section names; then each store's own figures under its name (`postgres`, `redis`, `configs`),
 * and the steps. A part that cannot run here is `not-run` with the reason, never passed.
 */
import type { StepResult } from "./steps";

export type PostgresResult =
  { readonly status: "not-run"; readonly reason: string } | { readonly status: "ok" | "failed" };

export interface DrillReport {
  readonly stack: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** PostgreSQL: last acknowledged write to newest restored one, seconds; null while not run. */
  readonly rpoSeconds: number | null;
  /** PostgreSQL: restore start to a queryable database, seconds; null while not run. */
  readonly rtoSeconds: number | null;
  readonly rowsExpected: number | null;
  readonly rowsRestored: number | null;
  /** The same as `redis.keysExpected` / `redis.keysRestored`: named at the top by DESIGN.md. */
  readonly redisKeysExpected: number;
  readonly redisKeysRestored: number;
  readonly postgres: PostgresResult;
  readonly redis: {
    /** Keys written before the backup (seeds and load writes) and how many came back by value. */
    readonly keysExpected: number;
    readonly keysRestored: number;
    readonly rpoSeconds: number;
    readonly rtoSeconds: number;
    readonly writesAcknowledged: number;
    readonly writesRestored: number;
  };
  readonly configs: {
    readonly expected: number;
    readonly restored: number;
    readonly files: readonly string[];
  };
  readonly steps: readonly StepResult[];
  readonly ok: boolean;
}
