/**
 * The engine contract suite's parameterization: one suite, run for each PostgreSQL engine that is
 * installed here, each test named with its engine. An engine that is not installed is reported
 * loudly as skipped, with the reason, never silently passed.
 */
import { describe } from "vitest";
import {
  POSTGRES_ENGINE_KEYS,
  postgresEngine,
  type PostgresEngineKey,
} from "../../infra/catalog/engines";
import { engineUnavailableReason } from "../../scripts/sandbox/engineBinary";

/** `describe` once per engine; `describe.skip` with the reason in its name where it cannot run. */
export function describeEachEngine(title: string, body: (engine: PostgresEngineKey) => void): void {
  for (const engine of POSTGRES_ENGINE_KEYS) {
    const reason = engineUnavailableReason(engine);
    const name = `[${engine}] ${title}`;
    if (reason) {
      console.warn(`SKIPPED ${name}: ${reason}`);
      describe.skip(`${name} — skipped: ${reason}`, () => body(engine));
    } else {
      describe(name, () => body(engine));
    }
  }
}

export function engineTitle(engine: PostgresEngineKey): string {
  return postgresEngine(engine).title;
}
