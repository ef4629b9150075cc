/**
 * Where the sandbox finds each PostgreSQL engine, and why one is unavailable: an OS package at its
 * default path (installed by install-tools.sh), or a binary named by the engine's environment
 * variable (descriptor `binaryEnv`). Nothing stands in for a missing engine.
 */
import { postgresEngine, type PostgresEngineKey } from "../../infra/catalog/engines";
import { executable } from "./tools";

export function sandboxEngineBinary(kind: PostgresEngineKey, env = process.env): string {
  const engine = postgresEngine(kind);
  return (engine.binaryEnv && env[engine.binaryEnv]) || engine.defaultBinary;
}

/** undefined when the engine can run here; otherwise the reason, for "skipped" and NOT RUN lines. */
export function engineUnavailableReason(
  kind: PostgresEngineKey,
  env = process.env,
): string | undefined {
  const engine = postgresEngine(kind);
  const binary = sandboxEngineBinary(kind, env);
  if (executable(binary)) return undefined;
  const named = engine.binaryEnv && env[engine.binaryEnv] ? ` (${engine.binaryEnv}=${binary})` : "";
  return `${engine.title} is not installed at ${binary}${named}: ${engine.unavailableHint}`;
}
