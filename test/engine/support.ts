/**
 * The engine contract suite's parameterization: one suite, run for each PostgreSQL engine that is
 * installed here, each test named with its engine. An engine that is not installed is reported
 * loudly as skipped, with the reason, never silently passed.
 */
import { describe } from "vitest";
import { POSTGRES_ENGINE_KEYS, type PostgresEngineKey } from "../../infra/catalog/engines";
import { engineUnavailableReason } from "../../scripts/sandbox/engineBinary";

/** `describe` once per engine, skipped with the reason in its name where the engine cannot run. */
export function describeEachEngine(title: string, body: (engine: PostgresEngineKey) => void): void {
  for (const engine of POSTGRES_ENGINE_KEYS) {
    const reason = engineUnavailableReason(engine);
    if (reason) console.warn(`SKIPPED [${engine}] ${title}: ${reason}`);
    // The reason is part of the name, so every report that lists the skipped tests says why.
    const name = reason ? `[${engine}] ${title} — skipped: ${reason}` : `[${engine}] ${title}`;
    describe.skipIf(reason !== undefined)(name, () => body(engine));
  }
}
