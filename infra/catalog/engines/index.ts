/** The PostgreSQL engines the stack can run, by stack config key `postgresEngine`. */
import type { PostgresEngineDescriptor } from "./descriptor";
import { PGBACKREST } from "./pgbackrest";
import { WALG } from "./walg";

export * from "./descriptor";

export const POSTGRES_ENGINES = {
  pgbackrest: PGBACKREST,
  "wal-g": WALG,
} as const satisfies Record<string, PostgresEngineDescriptor>;

export type PostgresEngineKey = keyof typeof POSTGRES_ENGINES;
export const POSTGRES_ENGINE_KEYS = Object.keys(POSTGRES_ENGINES) as PostgresEngineKey[];

/** pgBackRest: an OS package everywhere, with verify, async archiving and delta restore. */
export const DEFAULT_POSTGRES_ENGINE: PostgresEngineKey = "pgbackrest";

export function isPostgresEngineKey(value: string): value is PostgresEngineKey {
  return Object.hasOwn(POSTGRES_ENGINES, value);
}

export function postgresEngine(key: string): PostgresEngineDescriptor {
  if (!isPostgresEngineKey(key))
    throw new Error(
      `unknown PostgreSQL engine '${key}'; allowed: ${POSTGRES_ENGINE_KEYS.join(", ")}`,
    );
  return POSTGRES_ENGINES[key];
}
