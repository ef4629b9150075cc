/**
 * A stack that backs up from a standby, through the real synth: the host config names the standby
 * for pg-backup, and the standby-fallback alarm exists (and only there) to page when a run had to
 * read the primary instead.
 */
import { describe, expect, test } from "vitest";
import { parseHostConfig } from "../../infra/catalog/hostConfig";
import { synthVariant, variantArtifact, type PlanFile } from "./support/synthVariant";

const STANDBY = [
  "  stellar-insights-backup:postgresBackupFrom:",
  "    source: standby",
  "    standby:",
  "      pgData: /var/lib/postgresql/14/standby",
  "      port: 5433",
  "    whenStandbyUnavailable: fail",
  "",
].join("\n");

const alarmNames = (plan: PlanFile) =>
  plan.resources
    .filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")
    .map((r) => r.name);

describe("postgresBackupFrom: standby", () => {
  test("renders the standby into the host config and adds the standby-fallback alarm", async () => {
    const prod = await synthVariant("prod", (t) => t);
    const standby = await synthVariant("standby", (t) => `${t.trimEnd()}\n${STANDBY}`);

    expect(alarmNames(prod)).not.toContain("alarms-standby-fallback");
    expect(alarmNames(standby).filter((n) => !alarmNames(prod).includes(n))).toEqual([
      "alarms-standby-fallback",
    ]);
    const parsed = parseHostConfig(JSON.parse(variantArtifact("standby", "host-config.json")));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.config.postgres.backupFrom).toEqual({
      standby: {
        pgData: "/var/lib/postgresql/14/standby",
        port: 5433,
        socketDir: parsed.config.postgres.socketDir,
      },
      maxReplayLagMb: 64,
      whenStandbyUnavailable: "fail",
    });
  }, 300_000);
});
