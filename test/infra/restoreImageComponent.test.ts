/**
 * RestoreVerificationImage under Pulumi's mocks, with and without the restore-test bundle: the image
 * is built from the stack's values when the job exists, and only the repository otherwise.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, expect, test } from "vitest";
import { deterministicMocks } from "../../infra/synth/mocks";
import { waitForRegistrations } from "../../infra/synth/synthesize";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const registered: Registered[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    deterministicMocks("us-east-1", (args) =>
      registered.push({ type: args.type, name: args.name, inputs: args.inputs }),
    ),
    "stellar-insights-backup",
    "prod",
    false,
  );
  const { RestoreVerificationImage } =
    await import("../../infra/components/restoreVerificationImage");
  const common = {
    stack: "prod",
    region: "us-east-1",
    accountId: "123456789012",
    pgMajorVersion: 14,
    postgresEngine: "pgbackrest" as const,
    nodeMajorVersion: 22,
    restoreTestBundleDir: "out/build/jobs",
    tags: {},
  };
  const built = new RestoreVerificationImage("with-job", { ...common, buildImage: true });
  const skipped = new RestoreVerificationImage("without-job", { ...common, buildImage: false });
  await new Promise((done) => pulumi.all([built.repositoryUrl, skipped.repositoryUrl]).apply(done));
  await waitForRegistrations();
});

test("with the restore-test job built, the image is built from the Dockerfile with the stack's versions and pushed", () => {
  const images = registered.filter((r) => r.type === "docker:index/image:Image");
  expect(images.map((i) => i.name)).toEqual(["with-job-image"]);
  expect(images[0].inputs).toMatchObject({
    imageName:
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/stellarbackup-prod-restore-verification:pg14-pgbackrest",
    build: {
      context: "out/build/jobs",
      dockerfile: "infra/images/restore-verification/Dockerfile",
      platform: "linux/amd64",
      args: { PG_MAJOR: "14", ENGINE: "pgbackrest", NODE_MAJOR: "22" },
    },
  });
});

test("without it, each component still creates its scanned repository and lifecycle", () => {
  const repositories = registered
    .filter((r) => r.type === "aws:ecr/repository:Repository")
    .map((r) => r.name);
  expect(repositories.sort()).toEqual(["with-job-repository", "without-job-repository"]);
  const lifecycles = registered.filter((r) => r.type === "aws:ecr/lifecyclePolicy:LifecyclePolicy");
  expect(lifecycles).toHaveLength(2);
});
