/**
 * AWS SDK v3 client settings from the host config. Credentials come from the default chain (the
 * instance role on a host; fixed test keys in the sandbox), never from the config file.
 */
import type { HostConfig } from "../../infra/catalog/hostConfig";

export interface AwsClientSettings {
  readonly region: string;
  readonly endpoint?: string;
  readonly maxAttempts: number;
}

export function awsClientSettings(config: HostConfig): AwsClientSettings {
  return {
    region: config.region,
    // Retries with backoff cover throttling and brief network trouble.
    maxAttempts: 4,
    ...(config.awsEndpointUrl ? { endpoint: config.awsEndpointUrl } : {}),
  };
}
