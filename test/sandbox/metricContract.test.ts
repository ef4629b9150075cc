/**
 * The alarms' metric contract: every metric an alarm watches in the project's namespace is published, with
 * exactly those dimensions, by the real jobs. moto never evaluates alarms, so this is the link
 * between `alarmMetricContract()` and the host plane: install the planned artifacts, run every
 * built job through its shipped document (and two runs that fail), then ask moto's CloudWatch
 * ListMetrics for each contract entry by namespace, name and dimensions. Every alarm watches each
 * host, so each entry must be there with `Host` = this host's id as well: a job that
 * stops publishing `Host` leaves its entries missing here.
 */
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  type Dimension as CloudWatchDimension,
} from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  JOB_KEYS,
  JOBS,
  SHIPPED_JOB_KEYS,
  parseInsightsQuery,
  type JobKey,
} from "../../infra/catalog";
import { hostIdOf } from "../../scripts/lib/job/hostConfig";
import { alarmMetricContract, type AlarmMetric } from "../../infra/content/aws/alarmDefinitions";
import { EXIT } from "../../scripts/lib/job/errors";
import { sendCommand, uploadPlannedObjects } from "../../scripts/sandbox/agent";
import { sandboxClientSettings } from "../../scripts/sandbox/moto";
import { loadPlan, type Plan } from "../../scripts/sandbox/plan";
import type { DocumentRun } from "../../scripts/sandbox/runDocument";
import { startSandbox, type Sandbox } from "../../scripts/sandbox/sandbox";

interface UnpublishedEntry extends AlarmMetric {
  /** Why no job run here can publish it. */
  readonly reason: string;
}

/**
 * The contract entries no built job can publish yet, each with its reason. The test asserts this is
 * exactly the set that is missing from moto: a new gap fails it, and so does a pending job starting
 * to publish one of these.
 */
const UNPUBLISHED_UNTIL_BUILT: readonly UnpublishedEntry[] = [];

const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const keyOf = (m: AlarmMetric) =>
  `${m.metricName} ${JSON.stringify(Object.entries(m.dimensions).sort())}${m.groupBy ? ` per ${m.groupBy}` : ""}`;
const asDimensions = (d: Readonly<Record<string, string>>): CloudWatchDimension[] =>
  Object.entries(d).map(([Name, Value]) => ({ Name, Value }));

let sb: Sandbox;
let plan: Plan;
let cloudWatch: CloudWatchClient;
/** Jobs whose bundle the plan ships, health-check last so it sees the others' backups and runs. */
let builtJobs: JobKey[];
const runs = new Map<string, DocumentRun>();

/** A contract entry as this host publishes it: its `groupBy` dimension (`Host`) set to the host's id. */
function asPublished(entry: AlarmMetric): AlarmMetric {
  return entry.groupBy === undefined
    ? entry
    : {
        metricName: entry.metricName,
        dimensions: { ...entry.dimensions, [entry.groupBy]: hostIdOf(sb.hostConfig) },
      };
}

/** Metrics in the host's namespace with this name and exactly these dimensions (ListMetrics matches supersets). */
async function listedExactly(metric: AlarmMetric): Promise<number> {
  // moto lists a metric with two or more dimensions once per PutMetricData that created it (its
  // dimension comparison only holds for one dimension): count distinct dimension sets.
  const found = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await cloudWatch.send(
      new ListMetricsCommand({
        Namespace: sb.hostConfig.metricNamespace,
        MetricName: metric.metricName,
        Dimensions: asDimensions(metric.dimensions),
        NextToken: nextToken,
      }),
    );
    for (const m of page.Metrics ?? []) {
      const key = keyOf({
        metricName: m.MetricName ?? "",
        dimensions: Object.fromEntries(
          (m.Dimensions ?? []).map((d) => [d.Name ?? "", d.Value ?? ""]),
        ),
      });
      if (m.Namespace === sb.hostConfig.metricNamespace && key === keyOf(metric)) found.add(key);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return found.size;
}

/** The largest JobFailed value a job published in the last hour (1 once a run failed). */
async function maxJobFailed(job: JobKey): Promise<number | undefined> {
  const out = await cloudWatch.send(
    new GetMetricStatisticsCommand({
      Namespace: sb.hostConfig.metricNamespace,
      MetricName: "JobFailed",
      Dimensions: asDimensions({ Job: job, Host: hostIdOf(sb.hostConfig) }),
      StartTime: new Date(Date.now() - 3600_000),
      EndTime: new Date(Date.now() + 60_000),
      Period: 3600,
      Statistics: ["Maximum"],
    }),
  );
  const maxima = (out.Datapoints ?? []).map((p) => p.Maximum ?? 0);
  return maxima.length > 0 ? Math.max(...maxima) : undefined;
}

beforeAll(async () => {
  sb = await startSandbox({ redis: true, postgres: true });
  plan = loadPlan("prod", process.env.STELLAR_SANDBOX_SYNTH_DIR);
  cloudWatch = new CloudWatchClient(sandboxClientSettings(sb.moto.endpoint, sb.hostConfig.region));
  const shipped = new Set((plan.outputs.hostArtifacts as { name: string }[]).map((a) => a.name));
  builtJobs = JOB_KEYS.filter((job) => shipped.has(`job-${job}`)).sort(
    (a, b) => Number(a === "health-check") - Number(b === "health-check"),
  );

  // Given the host has installed what the plan ships
  await uploadPlannedObjects(plan, sb);
  const install = await sendCommand(plan, sb, "install");
  expect(install.exitCode, install.stderr).toBe(0);
  // When every built job runs once through its document (the backup checkpoints at once, as a
  // person running it by hand would ask)
  for (const job of builtJobs)
    runs.set(
      job,
      await sendCommand(
        plan,
        sb,
        job,
        job === "pg-backup" ? { parameters: { StartFast: "yes" } } : {},
      ),
    );
  // And two runs do not succeed: a parameter the health check does not know (refused, not a
  // failure), and a backup of a stopped Redis (a failure)
  runs.set(
    "health-check bad parameter",
    await sendCommand(plan, sb, "health-check", { parameters: { Checks: "no-such-check" } }),
  );
  await sb.redis?.stop();
  runs.set("redis-backup without Redis", await sendCommand(plan, sb, "redis-backup"));
}, 240_000);

afterAll(async () => {
  cloudWatch?.destroy();
  await sb?.stop();
});

describe("the alarms' metric contract, against the jobs run through their documents", () => {
  test("the built jobs are exactly the catalog's shipped jobs; the exclusions name only unshipped ones", () => {
    const blocked = new Set(
      UNPUBLISHED_UNTIL_BUILT.map((e) => e.dimensions.Job).filter(
        (job): job is JobKey => job !== undefined,
      ),
    );
    expect(builtJobs).toEqual([
      "pg-backup",
      "pg-verify",
      "pg-restore-test",
      "redis-backup",
      "config-backup",
      "logs-ship",
      "cleanup",
      "health-check",
    ]);
    expect([...builtJobs].sort()).toEqual([...SHIPPED_JOB_KEYS].sort());
    expect([...blocked].filter((job) => JOBS[job].shipped)).toEqual([]);
    expect(
      JOB_KEYS.filter((job) => !builtJobs.includes(job)).every((job) => !JOBS[job].shipped),
    ).toBe(true);
  });

  test("the runs went as expected: backups, verify and cleanup succeed, the health check is OK, one run is refused and one fails", () => {
    for (const job of [
      "pg-backup",
      "pg-verify",
      "pg-restore-test",
      "redis-backup",
      "config-backup",
      "logs-ship",
      "cleanup",
    ]) {
      expect(runs.get(job)?.exitCode, `${job}: ${runs.get(job)?.stderr}`).toBe(0);
    }
    const health = runs.get("health-check");
    expect(health?.exitCode, health?.stderr).toBe(0);
    expect(health?.stdout.trim().split("\n").at(-1)).toBe("OK: All backup checks passed");
    expect(runs.get("health-check bad parameter")?.exitCode).toBe(EXIT.usage);
    expect(runs.get("health-check bad parameter")?.stderr).toContain(
      'CHECKS="no-such-check" is not allowed',
    );
    expect(runs.get("redis-backup without Redis")?.exitCode).toBe(EXIT.failed);
    expect(runs.get("redis-backup without Redis")?.stderr).toMatch(
      /^redis-backup FAILED on sandbox-host after /m,
    );
  });

  test("the failed run published JobFailed 1; the refused one (bad parameter, exit 64) none, the successful ones 0 only", async () => {
    expect(await maxJobFailed("health-check")).toBe(0);
    expect(await maxJobFailed("redis-backup")).toBe(1);
    expect(await maxJobFailed("config-backup")).toBe(0);
    expect(await maxJobFailed("logs-ship")).toBe(0);
    for (const job of ["pg-backup", "pg-verify", "pg-restore-test", "cleanup"] as const)
      expect(await maxJobFailed(job), job).toBe(0);
  });

  test("every alarm of the prod plan in the hosts' namespace watches a contract entry", () => {
    const alarms = plan.resources.filter((r) => r.type === METRIC_ALARM);
    const own = alarms.filter((a) => !String(a.inputs.namespace).startsWith("AWS/"));
    // Each watches every host through one Metrics Insights query grouped by Host, or one host
    // through its own plain metric (a liveness alarm: a query cannot see a host gone silent).
    const queries = own.map((a) => {
      const metricQueries = a.inputs.metricQueries as { expression: string }[] | undefined;
      if (metricQueries) return parseInsightsQuery(metricQueries[0].expression);
      const { Host, ...where } = a.inputs.dimensions as Record<string, string>;
      expect(Host, `${String(a.name)} names its host`).toMatch(/\S/);
      return {
        namespace: String(a.inputs.namespace),
        metricName: String(a.inputs.metricName),
        where,
        groupBy: "Host",
      };
    });
    expect(queries.filter((q) => q === undefined)).toEqual([]);
    expect(new Set(queries.map((q) => q?.namespace))).toEqual(
      new Set([sb.hostConfig.metricNamespace]),
    );
    expect(new Set(queries.map((q) => q?.groupBy))).toEqual(new Set(["Host"]));
    const contract = new Set(alarmMetricContract().map(keyOf));
    const watched = queries.map((q) =>
      keyOf({ metricName: q!.metricName, dimensions: q!.where, groupBy: q!.groupBy }),
    );
    // 4 backup ages, disk, S3, 2 WAL, a stuck archiver, pg_wal's disk, a job-failed and heartbeat
    // alarm per shipped job (8), the health check's heartbeat as one liveness alarm per host.
    expect(watched.length).toBe(26);
    expect(watched.filter((k) => !contract.has(k))).toEqual([]);
  });

  test("every contract entry is in moto with exactly its dimensions and this host's Host", async () => {
    const contract = alarmMetricContract();
    expect(contract.length).toBe(27);
    const missing: string[] = [];
    const covered: string[] = [];
    for (const entry of contract) {
      expect(entry.groupBy, keyOf(entry)).toBe("Host");
      const count = await listedExactly(asPublished(entry));
      expect(count, keyOf(entry)).toBeLessThanOrEqual(1);
      (count === 1 ? covered : missing).push(keyOf(entry));
    }
    expect(missing.sort()).toEqual(UNPUBLISHED_UNTIL_BUILT.map(keyOf).sort());
    expect(covered.length).toBe(contract.length - UNPUBLISHED_UNTIL_BUILT.length);
    // Every exclusion is a real contract entry (no stale or misspelled names).
    const contractKeys = new Set(contract.map(keyOf));
    expect(UNPUBLISHED_UNTIL_BUILT.filter((e) => !contractKeys.has(keyOf(e)))).toEqual([]);
  });
});
