/**
 * Content-addressed artifacts for the hosts: each object key carries the SHA-256 of its bytes, so
 * a host never installs a half-updated mix, and the manifest (itself content-addressed) pins them.
 */
import { posix } from "node:path";
import { sha256Hex } from "../../catalog/sha256";
import { renderManifest, type ManifestEntry } from "./installDocument";

export interface ArtifactSource {
  /** Stable name (the Pulumi resource name is derived from it): `job-redis-backup`, `host-config`. */
  readonly name: string;
  /** Absolute path on the host. */
  readonly dest: string;
  readonly mode: ManifestEntry["mode"];
  /** Either the bytes, or a file (relative to the repository) with its precomputed hash. */
  readonly content?: string;
  readonly file?: { readonly path: string; readonly sha256: string; readonly bytes: number };
}

export interface Artifact extends ManifestEntry {
  readonly name: string;
  readonly bytes: number;
  readonly content?: string;
  readonly file?: string;
}

export interface ArtifactSet {
  readonly artifacts: readonly Artifact[];
  readonly manifest: { readonly key: string; readonly sha256: string; readonly content: string };
}

export function artifactKey(name: string, hash: string, dest: string): string {
  const ext = posix.extname(dest);
  return `artifacts/${name}/${hash}${ext}`;
}

export function hostArtifacts(sources: readonly ArtifactSource[]): ArtifactSet {
  const names = new Set<string>();
  const artifacts = [...sources]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((source): Artifact => {
      if (names.has(source.name)) throw new Error(`two artifacts are named '${source.name}'`);
      names.add(source.name);
      if ((source.content === undefined) === (source.file === undefined)) {
        throw new Error(`artifact '${source.name}' needs exactly one of content or file`);
      }
      const hash = source.file?.sha256 ?? sha256Hex(source.content ?? "");
      const bytes = source.file?.bytes ?? Buffer.byteLength(source.content ?? "");
      return {
        name: source.name,
        sha256: hash,
        mode: source.mode,
        key: artifactKey(source.name, hash, source.dest),
        dest: source.dest,
        bytes,
        ...(source.content !== undefined
          ? { content: source.content }
          : { file: source.file?.path }),
      };
    });
  const manifestContent = renderManifest(artifacts);
  const manifestSha = sha256Hex(manifestContent);
  return {
    artifacts,
    manifest: {
      key: `artifacts/manifests/${manifestSha}.txt`,
      sha256: manifestSha,
      content: manifestContent,
    },
  };
}
