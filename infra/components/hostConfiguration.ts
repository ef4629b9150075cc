import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { documentName, type DocumentKey } from "../catalog";
import type { HostTarget } from "../catalog";
import type { ArtifactSet } from "../content/host/hostArtifacts";
import { renderCommandDocument, type CommandDocument } from "../content/host/ssmDocuments";

/** How often State Manager re-applies the install document to catch drift on a host. */
export const CONVERGENCE_SCHEDULE = "rate(30 minutes)";

export interface HostConfigurationArgs {
  readonly stack: string;
  readonly bucketName: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly hostTarget: HostTarget;
  /** Job bundles, host config and config fragments, with their manifest. */
  readonly artifacts: ArtifactSet;
  /** The install document, one per job, one per restore. */
  readonly documents: Readonly<Record<DocumentKey, CommandDocument>>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Ships the host plane: content-addressed artifacts in the backup bucket, SSM Command documents
 * that install them and run each job and restore, and a State Manager association that keeps every
 * database host converged (applied at once when the manifest changes, then every 30 minutes).
 */
export class HostConfiguration extends pulumi.ComponentResource {
  /** SSM document name per key, for schedules, the failure-event rule and operators. */
  readonly documentNames: Record<DocumentKey, pulumi.Output<string>>;
  readonly documentArns: Record<DocumentKey, pulumi.Output<string>>;
  readonly manifestKey: string;
  readonly installAssociation: aws.ssm.Association;

  constructor(name: string, args: HostConfigurationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("stellar:backup:HostConfiguration", name, {}, opts);
    const child = { parent: this };
    const tags = { ...args.tags };
    const upload = (
      resourceName: string,
      key: string,
      body: { content: string } | { source: pulumi.asset.Asset },
    ) =>
      new aws.s3.BucketObjectv2(
        resourceName,
        {
          bucket: args.bucketName,
          key,
          ...body,
          serverSideEncryption: "aws:kms",
          kmsKeyId: args.kmsKeyArn,
          checksumAlgorithm: "SHA256",
          tags,
        },
        child,
      );

    const objects = args.artifacts.artifacts.map((artifact) =>
      upload(
        `${name}-artifact-${artifact.name}`,
        artifact.key,
        artifact.content !== undefined
          ? { content: artifact.content }
          : { source: new pulumi.asset.FileAsset(artifact.file ?? "") },
      ),
    );
    // The manifest goes last: a host that sees it can fetch everything it lists.
    const manifest = upload(`${name}-manifest`, args.artifacts.manifest.key, {
      content: args.artifacts.manifest.content,
    });

    const documents = Object.fromEntries(
      (Object.entries(args.documents) as [DocumentKey, CommandDocument][]).map(([key, doc]) => [
        key,
        new aws.ssm.Document(
          `${name}-doc-${key}`,
          {
            name: documentName(args.stack, key),
            documentType: "Command",
            documentFormat: "JSON",
            targetType: "/AWS::EC2::Instance",
            content: renderCommandDocument(doc),
            tags,
          },
          child,
        ),
      ]),
    ) as Record<DocumentKey, aws.ssm.Document>;

    this.installAssociation = new aws.ssm.Association(
      `${name}-install`,
      {
        associationName: `${documentName(args.stack, "install")}-converge`,
        name: documents.install.name,
        targets: [{ key: `tag:${args.hostTarget.tagKey}`, values: [args.hostTarget.tagValue] }],
        parameters: {
          ManifestKey: args.artifacts.manifest.key,
          ManifestSha256: args.artifacts.manifest.sha256,
          SetUpPostgresEngine: "yes",
        },
        scheduleExpression: CONVERGENCE_SCHEDULE,
        complianceSeverity: "HIGH",
        maxConcurrency: "50%",
        maxErrors: "0",
      },
      { ...child, dependsOn: [...objects, manifest] },
    );

    this.manifestKey = args.artifacts.manifest.key;
    this.documentNames = Object.fromEntries(
      Object.entries(documents).map(([key, doc]) => [key, doc.name]),
    ) as Record<DocumentKey, pulumi.Output<string>>;
    this.documentArns = Object.fromEntries(
      Object.entries(documents).map(([key, doc]) => [key, doc.arn]),
    ) as Record<DocumentKey, pulumi.Output<string>>;
    this.registerOutputs({ documentNames: this.documentNames, manifestKey: this.manifestKey });
  }
}
