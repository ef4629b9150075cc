/**
 * The document that installs (or updates) everything the stack ships to a database host: the job
 * bundles, the host config file and the rendered postgresql.conf / redis.conf fragments, each a
 * content-addressed S3 object listed in a manifest whose SHA-256 the document checks first.
 */
import { HOST_PATHS } from "../../catalog";
import type { PostgresEngineDescriptor } from "../../catalog/engines";
import { wholeValue, type CommandDocument } from "./ssmDocuments";

/** One installed file: a line `<sha256> <mode> <s3 key> <absolute host path>` of the manifest. */
export interface ManifestEntry {
  readonly sha256: string;
  readonly mode: "0644" | "0755" | "0600";
  readonly key: string;
  readonly dest: string;
}

export function renderManifest(entries: readonly ManifestEntry[]): string {
  const lines = [...entries]
    .sort((a, b) => a.dest.localeCompare(b.dest))
    .map((e) => {
      if (
        !/^[0-9a-f]{64}$/.test(e.sha256) ||
        !/^[A-Za-z0-9._/-]+$/.test(e.key) ||
        !/^\/[A-Za-z0-9._/-]+$/.test(e.dest)
      ) {
        throw new Error(`manifest entry ${JSON.stringify(e)} has characters the installer refuses`);
      }
      return `${e.sha256} ${e.mode} ${e.key} ${e.dest}`;
    });
  return `${lines.join("\n")}\n`;
}

export interface InstallDocumentInputs {
  readonly bucket: string;
  readonly manifestKey: string;
  readonly manifestSha256: string;
  readonly nodeMajor: number;
  /** The stack's PostgreSQL engine: installed when missing, set up, and checked. */
  readonly engine: PostgresEngineDescriptor;
}

/**
 * What to run when a host's Node.js is missing or too old. Distribution packages that lag behind
 * (Debian 12 ships 18, Ubuntu 24.04 ships 18) are deliberately not suggested: they cannot fix it.
 * Sources: Amazon Linux 2023 "nodejs22" package; NodeSource's 22.x repository for Debian/Ubuntu.
 */
function nodeInstallHint(major: number): string {
  return (
    `install Node.js ${major} LTS as \`node\` on PATH (Amazon Linux 2023: dnf install -y nodejs${major}; ` +
    `Debian/Ubuntu: the NodeSource ${major}.x repository, https://github.com/nodesource/distributions)`
  );
}

export function installDocument(inputs: InstallDocumentInputs): CommandDocument {
  return {
    description:
      "Installs or updates the backup jobs, host config and database config fragments from the stack's " +
      "content-addressed artifacts; verifies every SHA-256 before installing anything.",
    timeoutSeconds: 900,
    parameters: [
      {
        name: "ManifestKey",
        description: "S3 key of the artifact manifest (set by the stack).",
        default: inputs.manifestKey,
        allowedPattern: wholeValue("artifacts/manifests/[0-9a-f]{64}\\.txt"),
      },
      {
        name: "ManifestSha256",
        description: "Expected SHA-256 of the manifest (set by the stack).",
        default: inputs.manifestSha256,
        allowedPattern: wholeValue("[0-9a-f]{64}"),
      },
      {
        name: "SetUpPostgresEngine",
        description: `Install ${inputs.engine.title} when missing, render its config, create this cluster's repositories and check WAL archiving ('no' only for hosts without PostgreSQL).`,
        default: "yes",
        allowedValues: ["yes", "no"],
      },
    ],
    script: [
      // STELLAR_BACKUP_ROOT is unset on hosts; the local sandbox points it at a temporary directory.
      'root="${STELLAR_BACKUP_ROOT:-}"',
      `bucket='${inputs.bucket}'`,
      `if ! command -v node >/dev/null 2>&1; then echo "Node.js ${inputs.nodeMajor}+ is missing: ${nodeInstallHint(inputs.nodeMajor)}" >&2; exit 1; fi`,
      `major=$(node -p 'process.versions.node.split(".")[0]')`,
      `if [ "$major" -lt ${inputs.nodeMajor} ]; then echo "Node.js $major is too old: the jobs need ${inputs.nodeMajor}+; ${nodeInstallHint(inputs.nodeMajor)}" >&2; exit 1; fi`,
      'if ! command -v aws >/dev/null 2>&1; then echo "the AWS CLI is missing: install it (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)" >&2; exit 1; fi',
      "work=$(mktemp -d)",
      "trap 'rm -rf \"$work\"' EXIT",
      'fetch() { aws s3api get-object --bucket "$bucket" --key "$1" "$2" >/dev/null; }',
      'verify() { if ! echo "$1  $2" | sha256sum -c --status; then echo "SHA-256 mismatch for s3://$bucket/$3: nothing installed" >&2; exit 1; fi; }',
      'fetch "$SSM_ManifestKey" "$work/manifest"',
      'verify "$SSM_ManifestSha256" "$work/manifest" "$SSM_ManifestKey"',
      "# Download and verify everything before installing anything.",
      "n=0",
      "while read -r sha mode key dest; do",
      '  case "$dest" in /*..*|*[!A-Za-z0-9._/-]*) echo "refusing install path $dest" >&2; exit 1;; esac',
      '  n=$((n + 1)); fetch "$key" "$work/$n"; verify "$sha" "$work/$n" "$key"',
      'done < "$work/manifest"',
      "n=0",
      "while read -r sha mode key dest; do",
      '  n=$((n + 1)); target="$root$dest"',
      '  mkdir -p "$(dirname "$target")"',
      '  cp "$work/$n" "$target.new" && chmod "$mode" "$target.new" && mv -f "$target.new" "$target"',
      '  echo "installed $dest ${sha}"',
      'done < "$work/manifest"',
      `mkdir -p "$root${HOST_PATHS.lockDir}" "$root${HOST_PATHS.stateDir}"`,
      // The sandbox points STELLAR_BACKUP_CONFIG at its own host config; hosts use the installed one.
      // The sandbox points STELLAR_BACKUP_CONFIG at its own host config; hosts use the installed one.
      `export STELLAR_BACKUP_CONFIG="\${STELLAR_BACKUP_CONFIG:-$root${HOST_PATHS.configFile}}"`,
      `jobs="$root${HOST_PATHS.jobsDir}"`,
      'if [ "$SSM_SetUpPostgresEngine" = "yes" ]; then',
      '  engine_bin=$(node -p \'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).postgres.engine.binary\' "$STELLAR_BACKUP_CONFIG")',
      ...inputs.engine.installShell().map((line) => `  ${line}`),
      '  STEP=setup node "$jobs/pg-engine-setup.mjs"',
      "fi",
      'if [ -f "$jobs/apply-config.mjs" ]; then node "$jobs/apply-config.mjs"; fi',
      // Only now does archive_command name the engine: a host that cannot archive fails the install.
      'if [ "$SSM_SetUpPostgresEngine" = "yes" ]; then STEP=check node "$jobs/pg-engine-setup.mjs"; fi',
      'echo "install complete"',
    ],
  };
}
