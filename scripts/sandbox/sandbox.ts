/**
 * The local sandbox: moto (S3, CloudWatch, SSM, SNS, KMS), PostgreSQL 15 and Redis on 127.0.0.1
 * free ports, in one temp dir, configured from the stack's synth output and the rendered config
 * fragments, with a host config file that points the jobs at all of it. `startSandbox` brings it
 * up; `stop()` tears everything down (services, then any process still naming the temp dir) and
 * removes the temp dir, once however often it is called. Tests use it per file.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  HOST_CONFIG_SCHEMA_VERSION,
  parseHostConfig,
  type HostConfig,
} from "../../infra/catalog/hostConfig";
import { isPlainObject } from "../../infra/catalog/schema/parts";
import {
  defaultHostConfig,
  overrideHostConfig,
  serializeHostConfig,
  type HostConfigOverrides,
} from "../../infra/content/host/hostConfigFile";
import { stackFilePath, validatedStackConfig } from "../../infra/synth/synthesizeStack";
import { CONFIG_ENV } from "../lib/job/hostConfig";
import { createSandboxBucket, type SandboxBucket } from "./bucket";
import { SANDBOX_AWS_ENV, startMoto, type MotoServer } from "./moto";
import { ownedDir } from "./owned";
import { backupBucketLayout, defaultSynthDir, loadPlan } from "./plan";
import { freePort } from "./ports";
import { pgCtlService, startPostgres, type SandboxPostgres } from "./postgres";
import { redisService, startRedis, type SandboxRedis } from "./redis";
import { startStandby, type SandboxStandby } from "./standby";
import { DEFAULT_MAX_REPLAY_LAG_MB, type StandbyFallback } from "../../infra/catalog/backupFrom";
import { SANDBOX_PG_BIN, SANDBOX_PG_MAJOR } from "./tools";
import { makeCertificates } from "./certificates";
import { engineUnavailableReason, sandboxEngineBinary } from "./engineBinary";
import { endProcessesNaming } from "./strayProcesses";
import { startTlsFront, type TlsFront } from "./tlsFront";
import { postgresEngine, type PostgresEngineKey } from "../../infra/catalog/engines";
import { configFileEntry } from "../../infra/catalog/engines/descriptor";
import { hostIdOf } from "../lib/job/hostConfig";
import { engineFor } from "../lib/engines";
import { engineSecrets } from "../lib/postgres/engineSecrets";
import { putCipherPass } from "./cipherPass";
import { createEnvelopeKey, type SandboxEnvelopeKey } from "./envelopeKey";

export interface SandboxOptions {
  readonly stack?: string;
  /** Where plan.json is (default `out/synth/<stack>`; synthesized there when missing). */
  readonly synthDir?: string;
  readonly postgres?: boolean;
  readonly redis?: boolean;
  /** Create `stellar_insights` with the runbook's check tables (default true). */
  readonly seed?: boolean;
  readonly hostId?: string;
  readonly redisAppendonly?: boolean;
  /** initdb with data checksums (page damage becomes detectable). */
  readonly dataChecksums?: boolean;
  /** initdb --wal-segsize in MiB (default PostgreSQL's 16). */
  readonly walSegmentMb?: number;
  /** The PostgreSQL engine (default: the stack's). */
  readonly postgresEngine?: PostgresEngineKey;
  /**
   * Render the engine's config and create this cluster's repository, as the install document's
   * pg-engine-setup step does on a host (default true with PostgreSQL, when the engine is installed).
   */
  readonly engineSetup?: boolean;
  /**
   * A streaming standby of the sandbox cluster (pg_basebackup -R), named in the host config's
   * `postgres.backupFrom` with this fallback, so pg-backup reads the standby (default: none).
   */
  readonly standby?: { readonly whenStandbyUnavailable: StandbyFallback };
  /** Applied last, e.g. a different metric namespace per test. */
  readonly overrides?: HostConfigOverrides;
}

export interface Sandbox {
  readonly dir: string;
  readonly stack: string;
  readonly hostConfigPath: string;
  readonly hostConfig: HostConfig;
  /** What a job needs in its environment: the host config path and moto's fake credentials. */
  readonly env: Readonly<Record<string, string>>;
  readonly moto: MotoServer;
  /** HTTPS before moto, for the PostgreSQL engine (moto keeps its objects while it is down). */
  readonly tlsFront: TlsFront;
  readonly bucket: SandboxBucket;
  /** The multi-Region envelope key and its replica (client-side encryption on). */
  readonly envelopeKey?: SandboxEnvelopeKey;
  readonly postgres?: SandboxPostgres;
  /** The streaming standby, with `options.standby`. */
  readonly standby?: SandboxStandby;
  readonly redis?: SandboxRedis;
  stop(): Promise<void>;
}

/**
 * The stack's host config before sandbox overrides: the synth artifact if present and written by
 * this release (its `schemaVersion`), else rendered from the stack file. An artifact of another
 * release (an `out/` left from before an update) is passed over, saying so on stderr; one of this
 * release that does not validate is an error.
 */
export function stackHostConfig(stack: string, synthDir: string): HostConfig {
  const artifact = join(synthDir, "artifacts", "host-config.json");
  const text = existsSync(artifact) ? readFileSync(artifact, "utf8") : undefined;
  const written = text === undefined ? undefined : (JSON.parse(text) as unknown);
  const version = isPlainObject(written) ? written.schemaVersion : undefined;
  if (text !== undefined && version !== HOST_CONFIG_SCHEMA_VERSION)
    process.stderr.write(
      `sandbox: ${artifact} was written by another release (schemaVersion ${JSON.stringify(version)}, this one reads ${HOST_CONFIG_SCHEMA_VERSION}): rendering the host config from the stack file instead; run 'npm run synth' to refresh it\n`,
    );
  else if (text !== undefined) {
    const parsed = parseHostConfig(written);
    if (!parsed.ok)
      throw new Error(
        `${artifact} is not a valid host config: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
      );
    return parsed.config;
  }
  return defaultHostConfig(stack, validatedStackConfig(stackFilePath(stack)));
}

interface Layout {
  readonly dir: string;
  readonly endpoint: string;
  readonly kmsKeyArn: string;
  readonly pgPort: number;
  readonly redisPort: number;
  readonly hostId: string;
  readonly redisAppendonly: boolean;
  readonly tlsFront: TlsFront;
  readonly postgresEngine: PostgresEngineKey;
  /** The standby's port and fallback, when the sandbox has one. */
  readonly standby?: { readonly port: number; readonly whenStandbyUnavailable: StandbyFallback };
}

/** Everything a host has at fixed system paths, moved into the sandbox dir. */
export function sandboxOverrides(l: Layout): HostConfigOverrides {
  const d = (...parts: string[]) => join(l.dir, ...parts);
  const pgData = d("pgdata");
  const redisMainConf = d("etc", "redis", "redis.conf");
  const pgService = pgCtlService({
    binDir: SANDBOX_PG_BIN,
    pgData,
    logFile: d("logs", "postgresql", "postgresql.log"),
  });
  const redis = redisService({ port: l.redisPort, mainConfigFile: redisMainConf });
  return {
    awsEndpointUrl: l.endpoint,
    kmsKeyArn: l.kmsKeyArn,
    hostId: l.hostId,
    local: { root: d("backups") },
    postgres: {
      majorVersion: SANDBOX_PG_MAJOR,
      binDir: SANDBOX_PG_BIN,
      pgData,
      managedConfigFile: d("etc", "postgresql", "stellar-insights-backup.conf"),
      connection: { host: "127.0.0.1", port: l.pgPort, user: "postgres", database: "postgres" },
      socketDir: d("run", "postgresql"),
      engine: {
        kind: l.postgresEngine,
        binary: sandboxEngineBinary(l.postgresEngine),
        ...configFileEntry(postgresEngine(l.postgresEngine), d("etc", "stellar-insights-backup")),
        spoolDir: d("spool", "postgres-engine"),
        logDir: d("logs", "postgres-engine"),
        lockDir: d("spool", "postgres-engine", "lock"),
        endpoint: { host: l.tlsFront.host, port: l.tlsFront.port, caFile: l.tlsFront.caFile },
        credentials: "static",
      },
      service: pgService,
      ...(l.standby
        ? {
            backupFrom: {
              standby: {
                pgData: d("standby", "pgdata"),
                port: l.standby.port,
                socketDir: d("standby", "run"),
              },
              maxReplayLagMb: DEFAULT_MAX_REPLAY_LAG_MB,
              whenStandbyUnavailable: l.standby.whenStandbyUnavailable,
            },
          }
        : {}),
    },
    redis: {
      port: l.redisPort,
      dir: d("redis"),
      appendonly: l.redisAppendonly,
      managedConfigFile: d("etc", "redis", "stellar-insights-backup.conf"),
      service: redis,
    },
    configSets: {
      app: {
        paths: [
          d("opt", "backend", ".env"),
          d("opt", "frontend", ".env.local"),
          d("etc", "nginx", "sites-available", "stellar-insights"),
        ],
        restart: [],
      },
      db: {
        paths: [join(pgData, "postgresql.conf"), join(pgData, "pg_hba.conf"), redisMainConf],
        restart: [pgService.restart, redis.restart],
      },
    },
    logs: {
      paths: [
        d("logs", "app", "*.log*"),
        d("logs", "postgresql", "*.log*"),
        d("logs", "redis", "*.log*"),
      ],
    },
    paths: { stateDir: d("state"), lockDir: d("run", "locks") },
  };
}

/**
 * What the install document's pg-engine-setup step does on a host: the engine's config (here with
 * moto's fake static credentials) and this cluster's repository.
 */
export async function setUpEngine(host: HostConfig): Promise<void> {
  const engine = engineFor(host, hostIdOf(host));
  await engine.writeConfig(await engineSecrets(host, { ...process.env, ...SANDBOX_AWS_ENV }));
  await engine.setup();
}

/** Sample application config files (fake values) so config-backup has the runbook's app set. */
function writeSampleAppConfigs(host: HostConfig): void {
  const samples = [
    "DATABASE_URL=postgres://stellar:sandbox-not-a-secret@127.0.0.1/stellar_insights\nPORT=8080\n",
    "NEXT_PUBLIC_API_URL=http://127.0.0.1:8080\n",
    "server {\n  listen 80;\n  server_name stellar-insights.local;\n  location / { proxy_pass http://127.0.0.1:3000; }\n}\n",
  ];
  host.configSets.app?.paths.forEach((path, i) => {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, samples[i % samples.length], { mode: 0o640 });
  });
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const stack = options.stack ?? "prod";
  const synthDir =
    options.synthDir ?? process.env.STELLAR_SANDBOX_SYNTH_DIR ?? defaultSynthDir(stack);
  const plan = loadPlan(stack, synthDir);
  const base = stackHostConfig(stack, synthDir);
  const dir = mkdtempSync(join(tmpdir(), "stellar-sandbox-"));
  // Services run as postgres and redis: they must be able to walk into the temp dir.
  chmodSync(dir, 0o755);
  const stops: (() => Promise<void>)[] = [];
  // Once: an interrupted command and its own finally both stop the sandbox, maybe at the same time.
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      for (const s of [...stops].reverse()) await s().catch(() => undefined);
      // The engine's async archive-push outlives PostgreSQL (strayProcesses.ts).
      await endProcessesNaming(dir);
      rmSync(dir, { recursive: true, force: true });
    })());
  try {
    const moto = await startMoto(dir);
    stops.push(() => moto.stop());
    const bucket = await createSandboxBucket(moto.endpoint, base.region, backupBucketLayout(plan));
    const tlsFront = await startTlsFront(moto.port, await makeCertificates(join(dir, "tls")));
    stops.push(() => tlsFront.stop());
    const layout: Layout = {
      dir,
      endpoint: moto.endpoint,
      kmsKeyArn: bucket.kmsKeyArn,
      pgPort: await freePort(),
      redisPort: await freePort(),
      hostId: options.hostId ?? "sandbox-host",
      redisAppendonly: options.redisAppendonly ?? false,
      tlsFront,
      postgresEngine: options.postgresEngine ?? (base.postgres.engine.kind as PostgresEngineKey),
      ...(options.standby ? { standby: { port: await freePort(), ...options.standby } } : {}),
    };
    const host = withoutUnbuiltEncryption(
      overrideHostConfig(overrideHostConfig(base, sandboxOverrides(layout)), options.overrides),
    );
    for (const sub of [
      "etc/postgresql",
      "etc/redis",
      "etc/stellar-insights-backup",
      "logs/app",
      "backups",
      "state",
      "run",
    ]) {
      mkdirSync(join(dir, sub), { recursive: true, mode: 0o755 });
    }
    // What the operator does once per stack before the first install
    // (docs/encryption-and-replica.md).
    let envelopeKey: SandboxEnvelopeKey | undefined;
    if (host.clientSideEncryption) {
      envelopeKey = await createEnvelopeKey(moto.endpoint, host);
      const pass = randomBytes(48).toString("base64");
      for (const region of [host.region, ...(host.replica ? [host.replica.region] : [])])
        await putCipherPass(moto.endpoint, host, pass, "SecureString", region);
    }
    const hostConfigPath = join(dir, "etc", "stellar-insights-backup", "host-config.json");
    writeFileSync(hostConfigPath, serializeHostConfig(host));
    writeSampleAppConfigs(host);

    let postgres: SandboxPostgres | undefined;
    let standby: SandboxStandby | undefined;
    if (options.postgres ?? true) {
      ownedDir(join(dir, "logs", "postgresql"), "postgres", 0o755);
      postgres = await startPostgres(host, {
        socketDir: join(dir, "run", "postgresql"),
        seed: options.seed ?? true,
        dataChecksums: options.dataChecksums ?? false,
        ...(options.walSegmentMb ? { walSegmentMb: options.walSegmentMb } : {}),
      });
      stops.push(() => postgres!.stop());
      if ((options.engineSetup ?? true) && !engineUnavailableReason(layout.postgresEngine)) {
        await setUpEngine(host);
      }
      if (options.standby) {
        standby = await startStandby(host);
        stops.push(() => standby!.stop());
      }
    }
    let redis: SandboxRedis | undefined;
    if (options.redis ?? true) {
      ownedDir(host.redis.dir, "redis", 0o750);
      const runDir = ownedDir(join(dir, "run", "redis"), "redis", 0o755);
      ownedDir(join(dir, "logs", "redis"), "redis", 0o755);
      redis = await startRedis(host, {
        port: host.redis.port,
        mainConfigFile: join(dir, "etc", "redis", "redis.conf"),
        runDir,
        logFile: join(dir, "logs", "redis", "redis.log"),
      });
      stops.push(() => redis!.stop());
    }
    return {
      dir,
      stack,
      hostConfigPath,
      hostConfig: host,
      env: { ...SANDBOX_AWS_ENV, [CONFIG_ENV]: hostConfigPath, AWS_REGION: host.region },
      moto,
      tlsFront,
      bucket,
      ...(envelopeKey ? { envelopeKey } : {}),
      ...(postgres ? { postgres } : {}),
      ...(standby ? { standby } : {}),
      ...(redis ? { redis } : {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The stack config refuses `clientSideEncryption` with an engine whose repository encryption is not
 * built (its descriptor has no `repositoryCipherType`: wal-g's), so such a host never has it: a
 * sandbox that swaps the plan's engine for such an engine drops it too, as the stack would have.
 */
export function withoutUnbuiltEncryption(host: HostConfig): HostConfig {
  const engine = postgresEngine(host.postgres.engine.kind);
  if (engine.repositoryCipherType !== undefined || !host.clientSideEncryption) return host;
  const { clientSideEncryption: _refused, ...rest } = host;
  return rest;
}
