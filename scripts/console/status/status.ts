/**
 * `npm run console -- status`: reads the bucket, CloudWatch metrics and alarms of the stack's
 * hosts with the operator's credentials, and prints the report (table.ts, or report.ts's JSON).
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { postgresEngine } from "../../../infra/catalog/engines";
import { awsClientSettings } from "../../lib/storage/aws";
import { BackupStore } from "../../lib/storage/s3";
import { readHostBucket } from "./bucketStores";
import { readHostFigures } from "./hostMetrics";
import { parseStatusOptions, type StatusOptions } from "./options";
import {
  alarmStatus,
  allWell,
  hostStatus,
  STATUS_SCHEMA_VERSION,
  type StatusReport,
} from "./report";
import { readFiringAlarms } from "./stackAlarms";
import { statusTable } from "./table";

/**
 * The report for `options`: every host's stores (one bucket listing per prefix), figures (one
 * GetMetricData per figure) and the stack's alarms in ALARM. Clients reach the stack's region
 * with the SDK's default credentials; `AWS_ENDPOINT_URL` (the sandbox's moto) is the SDK's own.
 * Throws when the bucket or CloudWatch cannot be read (the store's `JobError`, the SDK's error).
 */
export async function statusReport(
  options: StatusOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StatusReport> {
  const { config, name } = options.stack;
  const place = { region: config.region, bucket: config.bucketName };
  const store = new BackupStore(place, env);
  const cloudWatch = new CloudWatchClient(awsClientSettings(place, env));
  const engine = postgresEngine(config.postgresEngine);
  try {
    const hosts = [];
    for (const host of options.hosts) {
      const bucket = await readHostBucket(store, engine, host);
      const figures = await readHostFigures(cloudWatch, config.metricNamespace, host, options.now);
      hosts.push(hostStatus(host, bucket, figures, config.thresholds, options.now));
    }
    const alarms = (await readFiringAlarms(cloudWatch, name))
      .filter((a) => a.host === undefined || options.hosts.includes(a.host))
      .map(alarmStatus);
    return {
      schemaVersion: STATUS_SCHEMA_VERSION,
      stack: name,
      bucket: config.bucketName,
      region: config.region,
      engine: engine.key,
      now: options.now.toISOString(),
      ok: allWell(hosts, alarms),
      hosts,
      alarms,
    };
  } finally {
    store.destroy();
    cloudWatch.destroy();
  }
}

/** Runs `status` with `argv` (after the command's name); resolves to the exit status. */
export async function runStatus(argv: readonly string[]): Promise<number> {
  const options = parseStatusOptions(argv);
  let report: StatusReport;
  try {
    report = await statusReport(options);
  } catch (error) {
    process.stderr.write(
      `console status: cannot read the backups' state: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : statusTable(report));
  return report.ok ? 0 : 1;
}
