/**
 * `npm run sandbox [-- --stack prod] [-- --aof]`: brings the sandbox up from the stack's synth
 * output, prints where everything is and how to run a job against it, and tears it all down on
 * Ctrl-C (SIGINT), SIGTERM or stdout closing (interruption.ts), exiting 0: that is how it ends.
 */
import { parseCommandLine } from "../cli/commandLine";
import { requireStackFile } from "./plan";
import { tearDownOnInterruption } from "./interruption";
import type { Sandbox } from "./sandbox";
import { SandboxSlot } from "./sandboxSlot";
import { engineUnavailableReason } from "./engineBinary";
import { installSandboxTools } from "./installTools";
import { postgresEngine, type PostgresEngineKey } from "../../infra/catalog/engines";

const COMMAND = {
  command: "npm run sandbox --",
  name: "sandbox",
  summary:
    "Starts moto (S3, CloudWatch, SSM, SNS, KMS), PostgreSQL 15 and Redis on 127.0.0.1 in a temp dir,\n" +
    "configured from the stack's synth output and rendered fragments; prints where everything is and\n" +
    "how to run a job against it; Ctrl-C stops everything and removes the temp dir.",
  options: {
    stack: {
      type: "string",
      value: "NAME",
      default: "prod",
      description: "stack whose synth output to use",
    },
    aof: { type: "boolean", description: "run Redis with appendonly on" },
  },
  exitCodes: {
    0: "stopped by Ctrl-C, SIGTERM or stdout closing, temp dir removed",
    1: "the sandbox could not start or stop, or its tools could not be installed",
    2: "bad command line or unknown stack",
  },
} as const;

function describe(sb: Sandbox): string {
  const h = sb.hostConfig;
  const env = Object.entries(sb.env)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return [
    `sandbox for stack '${sb.stack}' is up in ${sb.dir}`,
    `  moto (S3, CloudWatch, SSM, SNS, KMS): ${sb.moto.endpoint}  bucket s3://${sb.bucket.name} (KMS ${sb.bucket.kmsKeyArn})`,
    sb.postgres
      ? `  PostgreSQL ${h.postgres.majorVersion}: 127.0.0.1:${sb.postgres.port} user postgres, data ${sb.postgres.pgData}, log ${sb.postgres.logFile}`
      : "  PostgreSQL: not started",
    sb.redis
      ? `  Redis: 127.0.0.1:${sb.redis.port}, dump ${h.redis.dir}/${h.redis.dbfilename}, AOF ${h.redis.appendonly ? "on" : "off"}`
      : "  Redis: not started",
    `  host config: ${sb.hostConfigPath}`,
    `  PostgreSQL engine: ${postgresEngine(h.postgres.engine.kind).title} ${engineUnavailableReason(h.postgres.engine.kind as PostgresEngineKey) ?? `at ${h.postgres.engine.binary}, config ${h.postgres.engine.configFile}, S3 through ${sb.tlsFront.url} (CA ${sb.tlsFront.caFile})`}`,
    "",
    "run a job against it, e.g.:",
    `  ${env} scripts/node22.sh node --import tsx scripts/jobs/redis-backup.ts`,
    "",
    "Ctrl-C stops everything and removes the temp dir.",
  ].join("\n");
}

async function main(): Promise<void> {
  const values = parseCommandLine(COMMAND);
  requireStackFile(COMMAND, values.stack);
  installSandboxTools(COMMAND.name);
  const slot = new SandboxSlot();
  const interruption = tearDownOnInterruption({
    name: COMMAND.name,
    tearDown: () => slot.stop(),
    exitCode: () => 0,
  });
  try {
    console.log(describe(await slot.start({ stack: values.stack, redisAppendonly: values.aof })));
  } catch (error) {
    if (interruption.cause === undefined)
      console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
    interruption.exit(1);
  }
  // Keep the process alive until it is interrupted.
  setInterval(() => undefined, 1 << 30);
}

void main();
