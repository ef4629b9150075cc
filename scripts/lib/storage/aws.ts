/**
 * AWS SDK v3 client settings from the host config. Credentials come from the default chain (the
 * instance role on a host; fixed test keys in the sandbox), never from the config file.
 *
 * Every call is bounded: a frozen or black-holed endpoint must fail the job within minutes, not
 * hold it until SSM's execution timeout. The SDK's own handler and retry strategy do it
 * (`requestHandler` timeouts, `maxAttempts` with the standard retry mode, which retries
 * `TimeoutError` with backoff): nothing here re-implements either.
 */
import type { HostConfig } from "../../../infra/catalog/hostConfig";
import { showValue } from "../../../infra/catalog/schema/shownValue";
import { UsageError } from "../job/errors";

export interface AwsClientSettings {
  readonly region: string;
  readonly endpoint?: string;
  readonly maxAttempts: number;
  readonly retryMode: "standard";
  /** The SDK's Node.js handler options (`NodeHttpHandlerOptions` of @smithy/types). */
  readonly requestHandler: {
    readonly connectionTimeout: number;
    readonly socketTimeout: number;
    readonly requestTimeout: number;
    readonly throwOnRequestTimeout: boolean;
  };
}

/** The timeouts and attempts every AWS client of a job uses; milliseconds. */
export interface AwsCallLimits {
  /** TCP (and TLS) connect. */
  readonly connectTimeoutMs: number;
  /** No byte sent or received on the socket for this long: the peer is frozen or gone. */
  readonly idleTimeoutMs: number;
  /** One attempt from first byte to last; a backstop for a peer that trickles. */
  readonly requestTimeoutMs: number;
  /** Attempts per call, the first included (SDK `maxAttempts`). */
  readonly maxAttempts: number;
}

/**
 * Shipped defaults. Worst case for a frozen endpoint: `maxAttempts` × idle timeout plus the SDK's
 * backoff (at most 20 s per retry), about 4.5 minutes. The request backstop is long because one
 * attempt may carry a 5 GiB dump over a slow link; the idle timeout is what catches a freeze.
 */
export const DEFAULT_AWS_CALL_LIMITS: AwsCallLimits = {
  connectTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  requestTimeoutMs: 60 * 60_000,
  maxAttempts: 4,
};

/**
 * Environment variables that override a limit (whole milliseconds, or a count for attempts). For
 * tests and for a host on an unusual link; the host config does not carry them because the
 * defaults suit every host the stack manages.
 */
export const AWS_CALL_LIMIT_ENV: Readonly<Record<keyof AwsCallLimits, string>> = {
  connectTimeoutMs: "STELLAR_AWS_CONNECT_TIMEOUT_MS",
  idleTimeoutMs: "STELLAR_AWS_IDLE_TIMEOUT_MS",
  requestTimeoutMs: "STELLAR_AWS_REQUEST_TIMEOUT_MS",
  maxAttempts: "STELLAR_AWS_MAX_ATTEMPTS",
};

const LIMIT_RANGES: Readonly<Record<keyof AwsCallLimits, readonly [number, number]>> = {
  connectTimeoutMs: [100, 120_000],
  idleTimeoutMs: [100, 3_600_000],
  requestTimeoutMs: [100, 6 * 3_600_000],
  maxAttempts: [1, 10],
};

/**
 * The defaults with the environment's overrides. Throws `UsageError` naming every bad variable,
 * its value and the allowed range.
 */
export function awsCallLimits(env: NodeJS.ProcessEnv = process.env): AwsCallLimits {
  const problems: string[] = [];
  const limits = { ...DEFAULT_AWS_CALL_LIMITS };
  for (const key of Object.keys(AWS_CALL_LIMIT_ENV) as (keyof AwsCallLimits)[]) {
    const name = AWS_CALL_LIMIT_ENV[key];
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const [min, max] = LIMIT_RANGES[key];
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= min && value <= max)) {
      problems.push(`${name}=${showValue(raw)}: must be a whole number from ${min} to ${max}`);
      continue;
    }
    limits[key] = value;
  }
  if (problems.length > 0) {
    throw new UsageError(
      `AWS call limits: ${problems.join("; ")}`,
      "unset them to use the defaults",
    );
  }
  return limits;
}

/**
 * The settings of every AWS client: `config.region`, `config.awsEndpointUrl` when set (the
 * sandbox), and the call limits (`awsCallLimits`: throws `UsageError` on a bad override). Takes
 * only what it reads, so a command without a host config (the console) builds its clients here too.
 */
export function awsClientSettings(
  config: Pick<HostConfig, "region" | "awsEndpointUrl">,
  env: NodeJS.ProcessEnv = process.env,
): AwsClientSettings {
  const limits = awsCallLimits(env);
  return {
    region: config.region,
    maxAttempts: limits.maxAttempts,
    retryMode: "standard",
    requestHandler: {
      connectionTimeout: limits.connectTimeoutMs,
      socketTimeout: limits.idleTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Without it a breached requestTimeout is only a logged warning (smithy's compatibility default).
      throwOnRequestTimeout: true,
    },
    ...(config.awsEndpointUrl ? { endpoint: config.awsEndpointUrl } : {}),
  };
}
