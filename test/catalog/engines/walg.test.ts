/**
 * The wal-g descriptor's rendered text, as whole output: both repositories' JSON configs, the
 * archive and restore commands PostgreSQL runs, and the install document's version check.
 */
import { expect, test } from "vitest";
import type { EngineConfigInputs, PostgresEngineHostConfig } from "../../../infra/catalog/engines";
import {
  ARCHIVE_COMMAND_MAX_BYTES,
  expandedArchiveCommand,
} from "../../../infra/catalog/engines/descriptor";
import { localConfigFile, WALG } from "../../../infra/catalog/engines/walg";
import { parseHostConfig } from "../../../infra/catalog/hostConfig";
import { renderHostConfig } from "../../../infra/content/host/hostConfigFile";
import { validateStackConfig } from "../../../infra/config/validate";

const engine: PostgresEngineHostConfig = {
  kind: "wal-g",
  binary: "/usr/local/bin/wal-g",
  configFile: "/etc/stellar-insights-backup/postgres-engine.json",
  settings: {},
  osUser: "postgres",
  spoolDir: "/var/spool/stellar-insights-backup/postgres-engine",
  logDir: "/var/log/stellar-insights-backup/postgres-engine",
  lockDir: "/var/spool/stellar-insights-backup/postgres-engine/lock",
  compression: WALG.defaultCompression,
  credentials: "instance-role",
};

const inputs: EngineConfigInputs = {
  stack: "prod",
  region: "us-east-1",
  bucket: "stellar-insights-backups",
  kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
  s3RepositoryPath: "postgres/db-1",
  localRepositoryPath: "/var/backups/postgres",
  retentionDays: { s3: 30, local: 30 },
  backupPlan: { fullEveryDays: 7, betweenFulls: "differential" },
  engine,
  processMax: 4,
  pg: {
    pgData: "/var/lib/postgresql/14/main",
    port: 5432,
    socketDir: "/var/run/postgresql",
    user: "postgres",
    binDir: "/usr/lib/postgresql/14/bin",
  },
};

const COMMON = {
  PGDATA: "/var/lib/postgresql/14/main",
  PGHOST: "/var/run/postgresql",
  PGPORT: "5432",
  PGUSER: "postgres",
  TOTAL_BG_UPLOADED_LIMIT: "1",
  WALG_COMPRESSION_METHOD: "zstd",
  WALG_DOWNLOAD_CONCURRENCY: "8",
  WALG_PREVENT_WAL_OVERWRITE: "true",
  WALG_TAR_SIZE_THRESHOLD: String(64 * 1024 * 1024),
  WALG_UPLOAD_CONCURRENCY: "4",
  WALG_UPLOAD_DISK_CONCURRENCY: "4",
  WALG_VERIFY_PAGE_CHECKSUMS: "true",
};

test("the S3 config: the bucket as root, this host's folder as storage prefix, SSE-KMS with the stack's key, no credentials", () => {
  const text = WALG.configFile!.render(inputs);
  expect(JSON.parse(text)).toEqual({
    ...COMMON,
    AWS_REGION: "us-east-1",
    WALG_DELTA_MAX_STEPS: "7",
    S3_ENABLE_VERSIONING: "disabled",
    WALG_S3_MAX_RETRIES: "3",
    WALG_S3_PREFIX: "s3://stellar-insights-backups",
    WALG_S3_SSE: "aws:kms",
    WALG_S3_SSE_KMS_ID: "arn:aws:kms:us-east-1:123456789012:key/k",
    WALG_STORAGE_PREFIX: "postgres/db-1",
  });
  // Sorted keys, one per line, a final newline: a diff in review is a diff in behaviour.
  expect(text.split("\n")[1]).toBe('  "AWS_REGION": "us-east-1",');
  expect(text.endsWith("}\n")).toBe(true);
  expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_ENDPOINT/);
});

test("the S3 config outside AWS: the endpoint over TLS checked against its CA, path-style, static keys only when asked", () => {
  const sandbox = {
    ...inputs,
    engine: {
      ...engine,
      credentials: "static",
      endpoint: { host: "localhost", port: 8443, caFile: "/tmp/ca.pem" },
    },
    staticCredentials: { accessKeyId: "AKID", secretAccessKey: "SECRET" },
  } satisfies EngineConfigInputs;
  expect(JSON.parse(WALG.configFile!.render(sandbox))).toMatchObject({
    AWS_ENDPOINT: "https://localhost:8443",
    AWS_S3_FORCE_PATH_STYLE: "true",
    WALG_S3_CA_CERT_FILE: "/tmp/ca.pem",
    AWS_ACCESS_KEY_ID: "AKID",
    AWS_SECRET_ACCESS_KEY: "SECRET",
  });
  expect(() => WALG.configFile!.render({ ...sandbox, staticCredentials: undefined })).toThrow(
    "postgres.engine.credentials is 'static' but no credentials were given",
  );
});

test("compression: zstd by default, any of wal-g's methods when the host config names one", () => {
  expect(WALG.defaultCompression).toEqual({ type: "zstd", level: 0 });
  const lz4 = { ...inputs, engine: { ...engine, compression: { type: "lz4", level: 0 } } };
  expect(JSON.parse(WALG.configFile!.render(lz4))).toMatchObject({
    WALG_COMPRESSION_METHOD: "lz4",
  });
});

test("the tuning follows the host's processes: parts filled and chunks sent by the backup's, parts fetched by the restore's (twice, at most 8)", () => {
  for (const [processMax, backup, restore] of [
    [1, "1", "2"],
    [2, "2", "4"],
    [4, "4", "8"],
    [6, "6", "8"],
  ] as const) {
    for (const render of [WALG.configFile!.render, WALG.configFile!.companion!.render])
      expect(JSON.parse(render({ ...inputs, processMax }))).toMatchObject({
        WALG_UPLOAD_DISK_CONCURRENCY: backup,
        WALG_UPLOAD_CONCURRENCY: backup,
        WALG_DOWNLOAD_CONCURRENCY: restore,
        WALG_TAR_SIZE_THRESHOLD: "67108864",
        // One segment per wal-push, whatever the processes: see the descriptor.
        TOTAL_BG_UPLOADED_LIMIT: "1",
      });
  }
});

test("the local repository's config: a file storage under the local root, deltas allowed", () => {
  expect(localConfigFile(engine.configFile!)).toBe(
    "/etc/stellar-insights-backup/postgres-engine.local.json",
  );
  expect(JSON.parse(WALG.configFile!.companion!.render(inputs))).toEqual({
    ...COMMON,
    WALG_DELTA_MAX_STEPS: "14",
    WALG_FILE_PREFIX: "/var/backups/postgres",
  });
});

test("archive_command checks the segment's cluster, then pushes to S3, then the local repository; any failing fails the command, its error output kept for the health check", () => {
  const command = WALG.archiveCommand(engine);
  const [guard, pushes] = command.split("; esac) && ");
  expect(guard).toContain(
    "g=/etc/stellar-insights-backup/postgres-engine.system-identifier; s=$(od -An -tu8 -j24 -N8 %p | tr -d ' '); r=$(cat $g);",
  );
  // PostgreSQL runs only the first 1023 bytes of the expanded command: the local push must fit.
  expect(Buffer.byteLength(expandedArchiveCommand(command))).toBeLessThanOrEqual(
    ARCHIVE_COMMAND_MAX_BYTES,
  );
  expect(guard).toMatch(/exit 1; };$/);
  expect(guard.startsWith(`err="${engine.spoolDir}/archive-push-%f.error"; { (case %f in`)).toBe(
    true,
  );
  expect(pushes).toBe(
    `/usr/local/bin/wal-g --config /etc/stellar-insights-backup/postgres-engine.json wal-push %p && /usr/local/bin/wal-g --config /etc/stellar-insights-backup/postgres-engine.local.json wal-push %p; } 2>"$err"; rc=$?; cat "$err" >&2; [ $rc -eq 0 ] && rm -f "$err"; exit $rc`,
  );
});

test("restore_command: S3, then the local repository (wal-fetch's 74 is 'missing'); with a source, that one repository", () => {
  const s3 = "/usr/local/bin/wal-g --config /etc/stellar-insights-backup/postgres-engine.json";
  const local =
    "/usr/local/bin/wal-g --config /etc/stellar-insights-backup/postgres-engine.local.json";
  const own = WALG.restoreCommand(engine);
  expect(own).toContain(`get_s3() { timeout -k 10 90 ${s3} wal-fetch "$f" "$p"; }`);
  expect(own).toContain(`get_local() { timeout -k 10 90 ${local} wal-fetch "$f" "$p"; }`);
  expect(own).toContain("for n in s3 local; do");
  expect(own).toContain("case $n in s3) miss=74;; local) miss=74;; esac");
  const other = WALG.restoreCommand(engine, {
    source: { repository: "s3", s3RepositoryPath: "postgres/prod-a" },
  });
  expect(other).toContain(
    `get_s3() { timeout -k 10 90 env WALG_STORAGE_PREFIX=postgres/prod-a ${s3} wal-fetch "$f" "$p"; }`,
  );
  expect(other).not.toContain("get_local");
  const fromLocal = WALG.restoreCommand(engine, {
    source: { repository: "local", s3RepositoryPath: "postgres/db-1" },
  });
  expect(fromLocal).toContain(`get_local() { timeout -k 10 90 ${local} wal-fetch "$f" "$p"; }`);
  expect(fromLocal).not.toContain("get_s3");
});

test("the install document's lines refuse a missing wal-g and any version but v3.0.x, naming walgArtifact", () => {
  expect(WALG.installShell()).toEqual([
    'if [ ! -x "$engine_bin" ]; then echo "wal-g is missing at $engine_bin: it is not an OS package; give the stack walgArtifact (the release binary and its SHA-256) or install it by hand (docs/engines.md#wal-g-postgresengine-wal-g)" >&2; exit 1; fi',
    'walg_version=$("$engine_bin" --version 2>&1 | head -1)',
    'case "$walg_version" in *v3.0.*) ;; *) echo "wal-g at $engine_bin is \'$walg_version\'; this release needs v3.0.x" >&2; exit 1;; esac',
  ]);
  expect(WALG.parseVersion("wal-g version v3.0.9\t3e493188\t2026.11.29_15:17:56\tPostgreSQL")).toBe(
    "3.0.9",
  );
});

test("a wal-g stack's host config names a .json engine config; another extension is refused, naming it", () => {
  const stack = validateStackConfig(
    { alertEmail: "ops@example.com", postgresEngine: "wal-g" },
    "us-east-1",
  );
  if (!stack.ok) throw new Error(JSON.stringify(stack.problems));
  const host = renderHostConfig({ stack: "prod", config: stack.config });
  expect(host.postgres.engine.configFile).toBe("/etc/stellar-insights-backup/postgres-engine.json");
  const bad = parseHostConfig({
    ...host,
    postgres: {
      ...host.postgres,
      engine: { ...host.postgres.engine, configFile: "/etc/walg.conf" },
    },
  });
  expect(bad.ok).toBe(false);
  if (!bad.ok)
    expect(bad.problems.map((p) => p.message)).toContain(
      'configFile "/etc/walg.conf" must end in .json: wal-g reads its config in the format its extension names (e.g. postgres-engine.json)',
    );
});
