/**
 * A bad stack config stops the program before a single resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect, test, vi } from "vitest";
import type { StackConfigError } from "../../infra/config/stackConfig";
import { deterministicMocks } from "../../infra/synth/mocks";

test.each<[string, Record<string, string>, string[]]>([
  [
    "values the stack's own rules refuse",
    {
      "stellar-insights-backup:bucketName": "Not_A_Bucket",
      "stellar-insights-backup:retentionDays": JSON.stringify({ logs: 0 }),
    },
    ["bucketName", "retentionDays.logs", "alertEmail"],
  ],
  [
    // These used to pass the stack's rules and fail only when the host config was rendered, after
    // the bucket and IAM resources were registered.
    "values the host config refuses, and a misspelt namespace",
    {
      "stellar-insights-backup:alertEmail": "devops@stellar-insights.com",
      "stellar-insights-backup:pgData": "/var/lib/postgresql/*/main",
      "stellar-insights-backup:retentionDays": JSON.stringify({ configs: 1e9 }),
      "stellar-insight-backup:timezone": "Europe/Berlin",
    },
    ["stellar-insight-backup:timezone", "pgData", "retentionDays.configs"],
  ],
  [
    // These used to pass validation and throw while the alarms and host artifacts were built.
    "a health schedule its alarm cannot watch, and a wal-g binary that is not there",
    {
      "stellar-insights-backup:alertEmail": "devops@stellar-insights.com",
      "stellar-insights-backup:schedules": JSON.stringify({ health: "rate(4 hours)" }),
      "stellar-insights-backup:postgresEngine": "wal-g",
      "stellar-insights-backup:walgArtifact": JSON.stringify({
        path: "vendor/no-such-wal-g",
        sha256: "0".repeat(64),
      }),
    },
    ["schedules.health", "walgArtifact.path"],
  ],
])(
  "the program throws the full validation report and registers nothing: %s",
  async (_kind, config, keys) => {
    vi.resetModules();
    pulumi.runtime.setAllConfig({ "aws:region": "us-east-1", ...config }, []);
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
    // A fresh module graph per case: its own StackConfigError class.
    expect((error as Error).name).toBe("StackConfigError");
    expect((error as StackConfigError).problems.map((p) => p.key)).toEqual(keys);
    expect(registered).toEqual([]);
  },
);
