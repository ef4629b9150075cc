/**
 * Build inputs of the restore-verification image. Pure: paths are relative to the project root,
 * where Pulumi runs the program, so the plan is the same on every machine.
 */
import type { PostgresEngineKey } from "../../catalog/engines";

export const RESTORE_IMAGE_DOCKERFILE = "infra/images/restore-verification/Dockerfile";
/** The bundled job the image runs; it must be in the build context. */
export const RESTORE_TEST_BUNDLE = "pg-restore-test.mjs";

export interface RestoreImageInputs {
  readonly pgMajorVersion: number;
  /** The image carries the stack's engine (a Dockerfile stage per engine). */
  readonly postgresEngine: PostgresEngineKey;
  readonly nodeMajorVersion: number;
  /** Directory holding `pg-restore-test.mjs`: the whole build context. */
  readonly bundleDir: string;
  readonly platform: string;
}

export function restoreImageBuild(inputs: RestoreImageInputs) {
  return {
    context: inputs.bundleDir,
    dockerfile: RESTORE_IMAGE_DOCKERFILE,
    platform: inputs.platform,
    builderVersion: "BuilderBuildKit" as const,
    args: {
      PG_MAJOR: String(inputs.pgMajorVersion),
      ENGINE: inputs.postgresEngine,
      NODE_MAJOR: String(inputs.nodeMajorVersion),
    },
  };
}

/** `pg<major>-<engine>`: what is inside, readable in the registry; the digest identifies a build. */
export function restoreImageTag(pgMajorVersion: number, postgresEngine: PostgresEngineKey): string {
  return `pg${pgMajorVersion}-${postgresEngine}`;
}
