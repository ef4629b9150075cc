/** The adapter of the engine the host config names: the one door jobs use to reach an engine. */
import {
  isPostgresEngineKey,
  POSTGRES_ENGINE_KEYS,
  type PostgresEngineKey,
} from "../../../infra/catalog/engines";
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { UsageError } from "../job/errors";
import type { PostgresEngineAdapter } from "./adapter";
import { PgBackRestAdapter } from "./pgbackrest";
import { WalgAdapter } from "./walg";

export * from "./adapter";

const ADAPTERS: Readonly<
  Record<PostgresEngineKey, new (config: HostConfig, hostId: string) => PostgresEngineAdapter>
> = {
  pgbackrest: PgBackRestAdapter,
  "wal-g": WalgAdapter,
};

export function engineFor(config: HostConfig, hostId: string): PostgresEngineAdapter {
  const kind = config.postgres.engine.kind;
  if (!isPostgresEngineKey(kind))
    throw new UsageError(
      `postgres.engine.kind '${kind}' is not an engine; allowed: ${POSTGRES_ENGINE_KEYS.join(", ")}`,
    );
  return new ADAPTERS[kind](config, hostId);
}
