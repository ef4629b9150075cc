/**
 * A bad stack config stops the program before a single resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect, test } from "vitest";
import { StackConfigError } from "../../infra/config/stackConfig";
import { deterministicMocks } from "../../infra/synth/mocks";

test("the program throws the full validation report and registers nothing", async () => {
  pulumi.runtime.setAllConfig(
    {
      "aws:region": "us-east-1",
      "stellar-insights-backup:bucketName": "Not_A_Bucket",
      "stellar-insights-backup:retentionDays": JSON.stringify({ logs: 0 }),
    },
    [],
  );
  const registered: string[] = [];
  await pulumi.runtime.setMocks(
    deterministicMocks("us-east-1", (args) => registered.push(args.name)),
    "stellar-insights-backup",
    "bad",
    false,
  );
  const error = await import("../../infra/index").then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StackConfigError);
  expect((error as StackConfigError).problems.map((p) => p.key)).toEqual([
    "bucketName",
    "retentionDays.logs",
    "alertEmail",
  ]);
  expect(registered).toEqual([]);
});
