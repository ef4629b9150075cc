/**
 * The PostgreSQL retention the stack promises is the retention both engines are configured with:
 * the `postgresRetention` output, the rule the README (and docs/) state, pgBackRest's rendered
 * `repo1-retention-full` and wal-g's expire cutoff, for the prod stack file and for one that keeps
 * WAL longer than the full backups.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join, relative } from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";
import { PGBACKREST } from "../../infra/catalog/engines/pgbackrest";
import { parseHostConfig, type HostConfig } from "../../infra/catalog/hostConfig";
import { writeEngineConfig } from "../../scripts/lib/engines/engineProcess";
import { WalgAdapter } from "../../scripts/lib/engines/walg";
import { synthVariant, variantArtifact } from "./support/synthVariant";

const ROOT = join(__dirname, "..", "..");
const DAY_MS = 86_400_000;

/** README.md and every Markdown file under docs/. */
function docs(): { file: string; text: string }[] {
  const files = [join(ROOT, "README.md")];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith(".md")) files.push(join(dir, e.name));
    }
  };
  walk(join(ROOT, "docs"));
  return files.map((f) => ({ file: relative(ROOT, f), text: readFileSync(f, "utf8") }));
}

const MAX_RULE = "max(`retentionDays.postgres`, `retentionDays.wal`)";

function hostConfigOf(label: string): HostConfig {
  const parsed = parseHostConfig(JSON.parse(variantArtifact(label, "host-config.json")));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

/** pgBackRest's config as the host writes it, into a scratch directory; `repo<n>-retention-full`. */
async function pgbackrestRetention(config: HostConfig): Promise<{ s3: number; local: number }> {
  const dir = mkdtempSync(join(tmpdir(), "retention-"));
  const host: HostConfig = {
    ...config,
    postgres: {
      ...config.postgres,
      pgData: join(dir, "pgdata"),
      engine: {
        ...config.postgres.engine,
        kind: "pgbackrest",
        configFile: join(dir, "pgbackrest.conf"),
        osUser: userInfo().username,
      },
    },
  };
  await writeEngineConfig(PGBACKREST, host, "db-1");
  const text = readFileSync(join(dir, "pgbackrest.conf"), "utf8");
  const value = (key: string) => Number(new RegExp(`^${key}=(\\d+)$`, "m").exec(text)?.[1]);
  return { s3: value("repo1-retention-full"), local: value("repo2-retention-full") };
}

/** The days back wal-g's expire cuts each repository, read from the `delete before` it runs. */
async function walgRetention(config: HostConfig): Promise<{ s3: number; local: number }> {
  const now = Date.UTC(2026, 0, 31, 12);
  vi.useFakeTimers({ now, toFake: ["Date"] });
  const adapter = new WalgAdapter(config, "db-1");
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the private steps around the command
  const inside = adapter as any;
  vi.spyOn(inside, "requireSameCluster").mockResolvedValue("7000000000000000001");
  vi.spyOn(inside, "listed").mockResolvedValue([{ backup_name: "base_000000010000000000000002" }]);
  const cutoffs: Record<string, number> = {};
  vi.spyOn(inside, "run").mockImplementation(async (...call: unknown[]) => {
    const [source, args] = call as [{ repository: string }, string[]];
    cutoffs[source.repository] = (now - Date.parse(args[3])) / DAY_MS;
    return { code: 0, stdout: "", stderr: "" };
  });
  await adapter.expire({ dryRun: true });
  return { s3: cutoffs.s3, local: cutoffs.local };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe.each([
  { label: "prod", edit: (t: string) => t, postgres: 30, wal: 30 },
  {
    label: "wal-60",
    edit: (t: string) => t.replace(/^(\s+)wal: 30$/m, "$1wal: 60"),
    postgres: 30,
    wal: 60,
  },
])("$label (postgres $postgres days, wal $wal days)", ({ label, edit, postgres, wal }) => {
  test(
    "the output, the docs and both engines keep the same days",
    { timeout: 120_000 },
    async () => {
      const plan = await synthVariant(label, edit);
      const promised = Math.max(postgres, wal);
      expect(plan.outputs.postgresRetention).toBe(promised);

      const stated = docs().filter((d) => d.text.includes(MAX_RULE));
      expect(
        stated.map((d) => d.file),
        `a doc states the engine keeps ${MAX_RULE} days`,
      ).not.toEqual([]);
      const host = hostConfigOf(label);
      expect(host.retentionDays).toMatchObject({ postgres, wal });
      const local = host.local.retentionDays.postgres;
      expect(await pgbackrestRetention(host)).toEqual({ s3: promised, local });
      expect(await walgRetention(host)).toEqual({ s3: promised, local });

      // No doc may give the engine's S3 window as the full backups' days alone.
      const contradicting = docs().flatMap((d) =>
        [
          ...d.text.replace(/\s+/g, " ").matchAll(/[^.;]*`retentionDays\.postgres` in S3[^.;]*/g),
        ].map((m) => `${d.file}: ${m[0].trim()}`),
      );
      expect(contradicting).toEqual([]);
    },
  );
});
