/**
 * PostDeployCheck under Pulumi's mocks: the stack creates it only once pg-verify ships, so its
 * wiring is checked here on the component itself.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, expect, test } from "vitest";
import { POST_DEPLOY_CHECK_SCRIPT } from "../../infra/content/aws/postDeployCheck";
import { deterministicMocks } from "../../infra/synth/mocks";
import { waitForRegistrations } from "../../infra/synth/synthesize";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    deterministicMocks("us-east-1", (args) =>
      registered.push({ type: args.type, name: args.name, inputs: args.inputs }),
    ),
    "stellar-insights-backup",
    "prod",
    false,
  );
  const { PostDeployCheck } = await import("../../infra/components/postDeployCheck");
  const check = new PostDeployCheck("post-deploy-check", {
    stack: "prod",
    region: "us-east-1",
    hostTarget: { tagKey: "stellar-insights:backup-role", tagValue: "database" },
    documentName: "StellarBackup-prod-pg-verify",
    outputLogGroupName: "/stellar-backup/prod/jobs",
    after: [],
    triggers: ["artifacts/manifest/abc.json"],
  });
  await new Promise((done) => check.command.id.apply(done));
  await waitForRegistrations();
});

test("runs the check script with pg-verify's request in its environment", () => {
  const runs = registered.filter((r) => r.type === "command:local:Command");
  expect(runs.map((r) => r.name)).toEqual(["post-deploy-check-run"]);
  const run = runs[0].inputs;
  expect(run.create).toBe(POST_DEPLOY_CHECK_SCRIPT);
  expect(run.interpreter).toEqual(["/bin/sh", "-c"]);
  const env = run.environment as Record<string, string>;
  expect(Object.keys(env).sort()).toEqual([
    "CHECK_POLL_SECONDS",
    "CHECK_REGION",
    "CHECK_SEND_COMMAND_INPUT",
    "CHECK_WAIT_SECONDS",
  ]);
  expect(env).toMatchObject({
    CHECK_REGION: "us-east-1",
    CHECK_WAIT_SECONDS: String(1800 + 300),
    CHECK_POLL_SECONDS: "15",
  });
  expect(JSON.parse(env.CHECK_SEND_COMMAND_INPUT)).toMatchObject({
    DocumentName: "StellarBackup-prod-pg-verify",
    Targets: [{ Key: "tag:stellar-insights:backup-role", Values: ["database"] }],
  });
});
