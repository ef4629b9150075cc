/** The tuning part of the rendered pgBackRest config: the values `npm run bench` chose. */
import { describe, expect, test } from "vitest";
import { restoreProcessMax } from "../../../infra/catalog/engines/descriptor";
import { PGBACKREST } from "../../../infra/catalog/engines/pgbackrest";
import { renderHostConfig } from "../../../infra/content/host/hostConfigFile";
import { prodStackConfig } from "../../host/support/prodStack";

function rendered(processMax: number, engineVersion?: string): string[] {
  const host = renderHostConfig({ stack: "prod", config: prodStackConfig() });
  return PGBACKREST.configFile!.render({
    stack: "prod",
    region: host.region,
    bucket: host.bucket,
    s3RepositoryPath: "postgres/db-1",
    localRepositoryPath: "/var/backups/postgres",
    retentionDays: { s3: 30, local: 30 },
    backupPlan: { fullEveryDays: 1 },
    engine: host.postgres.engine,
    processMax,
    pg: {
      pgData: "/var/lib/postgresql/14/main",
      port: 5432,
      socketDir: "/run",
      user: "postgres",
      binDir: "/usr/lib/postgresql/14/bin",
    },
    ...(engineVersion ? { engineVersion } : {}),
  }).split("\n");
}

describe("pgBackRest tuning as shipped", () => {
  test("zst level 1, the host's process count for backups and archiving, twice that for restores", () => {
    const lines = rendered(2).filter((l) =>
      /^(\[|compress-|process-max|archive-async|repo\d-bundle)/.test(l),
    );
    expect(lines).toEqual([
      "[global]",
      "repo1-bundle=y",
      "repo2-bundle=y",
      "archive-async=y",
      "process-max=2",
      "compress-type=zst",
      "compress-level=1",
      "[global:restore]",
      "process-max=4",
      "[main]",
    ]);
  });

  test.each([
    [undefined, []],
    ["2.45", []],
    ["2.46", ["repo1-block=y", "repo2-block=y"]],
    ["2.55.1", ["repo1-block=y", "repo2-block=y"]],
  ])(
    "installed %s: block incremental only from the release that made it stable (%j)",
    (version, block) => {
      expect(rendered(2, version).filter((l) => /^repo\d-block=/.test(l))).toEqual(block);
    },
  );

  test.each([
    [1, 2],
    [2, 4],
    [4, 8],
    [8, 8],
  ])("a restore with %d backup processes runs %d", (backup, restore) => {
    expect(restoreProcessMax(backup)).toBe(restore);
  });
});
