/**
 * Everything the stack ships to a database host, assembled from the validated stack config: job
 * bundles, the host config file, the rendered postgresql.conf / redis.conf fragments (as
 * content-addressed artifacts with their manifest) and the SSM documents that install and run them.
 */
import { HOST_PATHS, JOB_KEYS, RESTORE_KEYS, type DocumentKey } from "../catalog";
import { POSTGRES_ENGINES } from "../catalog/engines";
import type { HostConfig } from "../catalog/hostConfig";
import { readPinnedFile } from "../config/pinnedFile";
import { StackConfigError, type StackConfig } from "../config/stackConfig";
import {
  hostArtifacts,
  type ArtifactSet,
  type ArtifactSource,
} from "../content/host/hostArtifacts";
import { serializeHostConfig } from "../content/host/hostConfigFile";
import { installDocument } from "../content/host/installDocument";
import { jobDocument } from "../content/host/jobDocuments";
import { postgresConf } from "../content/host/postgresConf";
import { redisConf } from "../content/host/redisConf";
import type { CommandDocument } from "../content/host/ssmDocuments";
import { bundleJobs, HOST_NODE_MAJOR, type JobBundle } from "./bundleJobs";
import { requireShippedJobEntries } from "./shippedJobs";

export interface HostPlane {
  readonly artifacts: ArtifactSet;
  readonly documents: Readonly<Record<DocumentKey, CommandDocument>>;
  readonly bundles: readonly JobBundle[];
}

/**
 * `host` is the host config the stack config's validation rendered and checked
 * (`checkedHostConfig`). It deliberately carries no KMS key ARN: uploads then send no encryption
 * header and the bucket's default SSE-KMS key applies, so the file (and its hash) is known before
 * deploy.
 */
export function hostArtifactSources(
  config: StackConfig,
  host: HostConfig,
  bundles: readonly JobBundle[],
): ArtifactSource[] {
  return [
    {
      name: "host-config",
      dest: HOST_PATHS.configFile,
      mode: "0644",
      content: serializeHostConfig(host),
    },
    {
      name: "postgresql",
      dest: host.postgres.managedConfigFile,
      mode: "0644",
      content: postgresConf(host),
    },
    { name: "redis", dest: host.redis.managedConfigFile, mode: "0644", content: redisConf(host) },
    ...bundles.map((bundle): ArtifactSource => ({
      name: `job-${bundle.name}`,
      dest: `${HOST_PATHS.jobsDir}/${bundle.name}.mjs`,
      mode: "0644",
      file: { path: bundle.path, sha256: bundle.sha256, bytes: bundle.bytes },
    })),
    ...engineBinaryArtifact(config),
  ];
}

/** The config namespace problems are named in (`Pulumi.yaml`'s name). */
const PROJECT = "stellar-insights-backup";

/**
 * The engine's release binary when the stack ships it (`engineBinary`, set under the stack key its
 * descriptor names): installed by the install document at the engine's binary path, after the
 * manifest's SHA-256 check. The file must hash to the configured SHA-256 here already, so a wrong
 * download never reaches AWS: the stack config's
 * validation reports that first (infra/config/pinnedFile.ts); a config that skipped it throws the
 * same problem as a `StackConfigError`.
 */
export function engineBinaryArtifact(config: StackConfig): ArtifactSource[] {
  const engine = POSTGRES_ENGINES[config.postgresEngine];
  const pinned = config.engineBinary;
  if (!engine.artifactConfigKey || !pinned) return [];
  const read = readPinnedFile(pinned, `${engine.title} binary`);
  if (!read.ok)
    throw new StackConfigError(PROJECT, [
      {
        key: `${engine.artifactConfigKey}.${read.field}`,
        value: pinned[read.field],
        message: read.message,
      },
    ]);
  return [
    {
      name: `engine-${engine.key}`,
      dest: engine.defaultBinary,
      mode: "0755",
      file: { path: pinned.path, sha256: read.sha256, bytes: read.bytes.length },
    },
  ];
}

export function buildHostPlane(
  stack: string,
  config: StackConfig,
  host: HostConfig,
  prebuilt?: readonly JobBundle[],
): HostPlane {
  // Before any bundling: a shipped job without its entry file fails the build, naming the job.
  requireShippedJobEntries();
  const bundles = prebuilt ?? bundleJobs();
  const artifacts = hostArtifacts(hostArtifactSources(config, host, bundles));
  const documents = {
    install: installDocument({
      bucket: config.bucketName,
      manifestKey: artifacts.manifest.key,
      manifestSha256: artifacts.manifest.sha256,
      nodeMajor: HOST_NODE_MAJOR,
      engine: POSTGRES_ENGINES[config.postgresEngine],
    }),
    ...Object.fromEntries(
      [...JOB_KEYS, ...RESTORE_KEYS].map((key) => [
        key,
        jobDocument(stack, key, POSTGRES_ENGINES[config.postgresEngine]),
      ]),
    ),
  } as Record<DocumentKey, CommandDocument>;
  return { artifacts, documents, bundles };
}
