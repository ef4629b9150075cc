/**
 * The engine contract suite's parameterization: one suite, run for each PostgreSQL engine that is
 * installed here, each test named with its engine. An engine that is not installed is reported
 * loudly as skipped, with the reason, never silently passed.
 */
import { describe } from "vitest";
import {
  POSTGRES_ENGINE_KEYS,
  POSTGRES_ENGINES,
  type PostgresEngineKey,
} from "../../infra/catalog/engines";
import { engineConfigPath } from "../../infra/catalog/engines";
import { stanzaOf } from "../../infra/catalog/engines/pgbackrest";
import type { HostConfig } from "../../infra/catalog/hostConfig";
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

/**
 * What a bucket key under `postgres/<host>/` holds, by the engine's own layout (descriptor
 * `s3Layout`): the backup whose data it is, or the WAL segment it archives; undefined otherwise.
 */
export function repositoryKey(
  engine: PostgresEngineKey,
  repoPrefix: string,
  key: string,
): { backupData?: string; walSegment?: string } {
  if (!key.startsWith(repoPrefix)) return {};
  const relative = key.slice(repoPrefix.length);
  const layout = POSTGRES_ENGINES[engine].s3Layout;
  const backup = new RegExp(layout.backupDataKey).exec(relative)?.[1];
  const wal = new RegExp(layout.walSegmentKey).exec(relative)?.[1];
  return { ...(backup ? { backupData: backup } : {}), ...(wal ? { walSegment: wal } : {}) };
}

/**
 * The engine's own arguments (after its binary, for `runEngine`) that keep only the newest full
 * backup in this host's S3 repository and remove the older ones with the WAL only they needed: a
 * retention run the contract suite can force without waiting out the stack's retention days.
 * pgBackRest: `expire` with count retention (pgBackRest command reference, repo-retention-full);
 * wal-g: `delete retain FULL 1` (wal-g PostgreSQL docs, "delete").
 */
export function keepNewestFullArgs(engine: PostgresEngineKey, config: HostConfig): string[] {
  const e = config.postgres.engine;
  // Built only for the engine asked: another engine's settings (the stanza) are not in its config.
  const perEngine: Record<PostgresEngineKey, () => string[]> = {
    pgbackrest: () => [
      `--config=${engineConfigPath(e)}`,
      `--stanza=${stanzaOf(e)}`,
      "--repo=1",
      "--repo1-retention-full-type=count",
      "--repo1-retention-full=1",
      "expire",
    ],
    "wal-g": () => ["--config", engineConfigPath(e), "delete", "retain", "FULL", "1", "--confirm"],
  };
  return perEngine[engine]();
}
