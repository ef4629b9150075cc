/**
 * "A config file or none" is a capability of the engine's descriptor: the host config names the
 * engine config's path exactly for an engine that reads one, and nothing builds a command line or
 * writes a file from a path that is not there. A third engine that reads no config file (as
 * barman-cloud reads none) is registered here beside the two real ones.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test, vi } from "vitest";
import {
  configFileEntry,
  engineConfigPath,
  POSTGRES_ENGINES,
} from "../../../infra/catalog/engines";
import type { PostgresEngineDescriptor } from "../../../infra/catalog/engines/descriptor";
import { parseHostConfig } from "../../../infra/catalog/hostConfig";
import { renderHostConfig } from "../../../infra/content/host/hostConfigFile";
import { writeEngineConfig } from "../../../scripts/lib/engines/engineProcess";
import { prodStackConfig } from "../../host/support/prodStack";

const { CONFIG_LESS } = vi.hoisted(() => ({ CONFIG_LESS: "config-less" }));

// Hoisted above the imports: every module below sees the third engine.
vi.mock("../../../infra/catalog/engines", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../infra/catalog/engines")>();
  const { configFile: _file, ...withoutFile } = original.POSTGRES_ENGINES.pgbackrest;
  const configLess: PostgresEngineDescriptor = {
    ...withoutFile,
    key: CONFIG_LESS,
    title: "An engine without a config file",
  };
  const engines = { ...original.POSTGRES_ENGINES, [CONFIG_LESS]: configLess };
  return {
    ...original,
    POSTGRES_ENGINES: engines,
    POSTGRES_ENGINE_KEYS: Object.keys(engines),
    postgresEngine: (key: string) => engines[key as keyof typeof engines],
  };
});

const configLess = (POSTGRES_ENGINES as Record<string, PostgresEngineDescriptor>)[CONFIG_LESS]!;

function prodHost() {
  return renderHostConfig({ stack: "prod", config: prodStackConfig() });
}

function problems(result: ReturnType<typeof parseHostConfig>): string[] {
  return result.ok ? [] : result.problems.map((p) => p.message);
}

function withEngine(engine: Record<string, unknown>) {
  const host = prodHost();
  return { ...host, postgres: { ...host.postgres, engine } };
}

describe("an engine that reads no config file", () => {
  test("its host config names no config file, and one that does is refused, naming it", () => {
    const { configFile: _file, ...engine } = prodHost().postgres.engine;
    const configLessEngine = { ...engine, kind: CONFIG_LESS };
    expect(configLess.configFile).toBeUndefined();
    expect(problems(parseHostConfig(withEngine(configLessEngine)))).toEqual([]);
    expect(
      problems(parseHostConfig(withEngine({ ...configLessEngine, configFile: "/etc/x.conf" }))),
    ).toContain(
      'configFile "/etc/x.conf" is not allowed: An engine without a config file reads no config file',
    );
  });

  test("the host config entry for its config file is empty", () => {
    expect(configFileEntry(configLess, "/etc/stellar-insights-backup")).toEqual({});
  });

  test("setting it up writes no file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "config-less-"));
    const host = prodHost();
    const config = {
      ...host,
      postgres: {
        ...host.postgres,
        engine: { ...host.postgres.engine, configFile: join(dir, "x") },
      },
    };
    await writeEngineConfig(configLess, config, "db-1");
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("an engine that reads a config file", () => {
  test("its host config without the path is refused, naming the file it reads", () => {
    const { configFile: _file, ...engine } = prodHost().postgres.engine;
    expect(problems(parseHostConfig(withEngine(engine)))).toContain(
      "configFile is missing: pgBackRest reads its config from a file (e.g. postgres-engine.conf)",
    );
  });

  test("a command line asking a path the host config lacks gets an error naming the key, never a word 'undefined'", () => {
    expect(() => engineConfigPath({ kind: "pgbackrest" })).toThrow(
      "postgres.engine.configFile is not set, and the pgbackrest engine reads its config from it",
    );
  });

  test("the host config entry puts its file in the given directory", () => {
    expect(configFileEntry(POSTGRES_ENGINES.pgbackrest, "/etc/stellar-insights-backup")).toEqual({
      configFile: "/etc/stellar-insights-backup/postgres-engine.conf",
    });
  });
});
