import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ecrLifecyclePolicy } from "../content/aws/ecrLifecyclePolicy";
import type { PostgresEngineKey } from "../catalog/engines";
import { restoreImageBuild, restoreImageTag } from "../content/aws/restoreImage";
import { stackResourceName } from "../content/aws/resourceNames";

export interface RestoreVerificationImageArgs {
  readonly stack: string;
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  /** The hosts' PostgreSQL major version: a base backup restores only into the same major. */
  readonly pgMajorVersion: number;
  /** The engine the image carries: the stack's `postgresEngine`. */
  readonly postgresEngine: PostgresEngineKey;
  /** Node.js major version the job bundles target. */
  readonly nodeMajorVersion: number;
  /** Directory with the bundled `pg-restore-test.mjs`; it is the build context. */
  readonly restoreTestBundleDir: string;
  /** `linux/amd64` unless the restore test runs elsewhere. */
  readonly platform?: string;
  /**
   * ECR credentials (`aws.ecr.getAuthorizationTokenOutput`). Without them the Docker provider pushes
   * with the Docker CLI's own login (`aws ecr get-login-password | docker login`, or the ECR
   * credential helper), which keeps the program free of an invoke that offline synth cannot answer.
   */
  readonly registryAuth?: {
    readonly username: pulumi.Input<string>;
    readonly password: pulumi.Input<string>;
  };
  /**
   * False while `pg-restore-test.mjs` is not built (it waits for the restore issue): the Dockerfile copies it, so
   * the repository is created but no image is built, and `pulumi up` says why.
   */
  readonly buildImage: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The image the weekly restore test runs in, off the production host: an ECR repository (scan on
 * push, only the last few images kept) and the image built from the repository's Dockerfile with
 * the hosts' PostgreSQL major, the stack's engine and the restore-test bundle, pushed at `pulumi up`.
 */
export class RestoreVerificationImage extends pulumi.ComponentResource {
  readonly repository: aws.ecr.Repository;
  readonly image?: docker.Image;
  /** `<repository>@sha256:...`: what a task definition or `docker run` should reference. */
  readonly repoDigest: pulumi.Output<string | undefined>;
  readonly repositoryUrl: pulumi.Output<string>;

  constructor(
    name: string,
    args: RestoreVerificationImageArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("stellar:backup:RestoreVerificationImage", name, {}, opts);
    const child = { parent: this };

    const repositoryName = stackResourceName(args.stack, "restore-verification").toLowerCase();
    // ECR's address scheme, spelled out so the plan shows the real target before the repository exists.
    const repositoryUrl = pulumi.interpolate`${args.accountId}.dkr.ecr.${args.region}.amazonaws.com/${repositoryName}`;
    this.repository = new aws.ecr.Repository(
      `${name}-repository`,
      {
        name: repositoryName,
        imageScanningConfiguration: { scanOnPush: true },
        // Each build re-pushes the same readable tag; the digest tells builds apart.
        imageTagMutability: "MUTABLE",
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        forceDelete: false,
        tags: { ...args.tags },
      },
      child,
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      { repository: this.repository.name, policy: ecrLifecyclePolicy() },
      child,
    );
    if (!args.buildImage) {
      pulumi.log.warn(
        "restore-verification image not built: the pg-restore-test job it runs is not built yet (it comes with the PostgreSQL restores)",
        this,
      );
    }
    this.image = !args.buildImage
      ? undefined
      : new docker.Image(
          `${name}-image`,
          {
            imageName: pulumi.interpolate`${repositoryUrl}:${restoreImageTag(args.pgMajorVersion, args.postgresEngine)}`,
            build: restoreImageBuild({
              pgMajorVersion: args.pgMajorVersion,
              postgresEngine: args.postgresEngine,
              nodeMajorVersion: args.nodeMajorVersion,
              bundleDir: args.restoreTestBundleDir,
              platform: args.platform ?? "linux/amd64",
            }),
            ...(args.registryAuth === undefined
              ? {}
              : {
                  registry: {
                    server: repositoryUrl,
                    username: args.registryAuth.username,
                    password: pulumi.secret(args.registryAuth.password),
                  },
                }),
          },
          { ...child, dependsOn: [this.repository] },
        );

    this.repositoryUrl = repositoryUrl;
    this.repoDigest = this.image?.repoDigest ?? pulumi.output(undefined);
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, repoDigest: this.repoDigest });
  }
}
