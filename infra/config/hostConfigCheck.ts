/**
 * The host config's rules, run on the host config a validated stack config would render, so that
 * nothing the hosts would refuse is found only after resources were registered. The stack
 * config's own rules already cover these (paths, day counts, regions); this is the proof that they
 * still do whenever either side changes. Pure module.
 */
import { parseHostConfig, type HostConfig } from "../catalog/hostConfig";
import { defaultHostConfig } from "../content/host/hostConfigFile";
import type { ConfigProblem, StackConfig } from "./stackConfig";

/** The stack name a host config is rendered for when the check is not told one. */
export const VALIDATION_STACK = "validation";

/** Host config paths (prefixes) and the stack config key each comes from. */
const SOURCES: readonly (readonly [string, string])[] = [
  ["region", "aws:region"],
  ["bucket", "bucketName"],
  ["metricNamespace", "metricNamespace"],
  ["local.root", "localBackupRoot"],
  ["local.retentionDays.", "retentionDays."],
  ["retentionDays.", "retentionDays."],
  ["postgres.pgData", "pgData"],
  ["postgres.engine", "postgresEngine"],
  ["postgres.backupFrom.", "postgresBackupFrom."],
  ["postgres.", "pgMajorVersion"],
];

function stackKeyOf(hostPath: string): string {
  for (const [prefix, key] of SOURCES) {
    if (hostPath === prefix) return key;
    if (prefix.endsWith(".") && key.endsWith(".") && hostPath.startsWith(prefix))
      return key + hostPath.slice(prefix.length);
    if (hostPath.startsWith(prefix.endsWith(".") ? prefix : `${prefix}.`)) return key;
  }
  return `(host config) ${hostPath}`;
}

/** A stack config's host config, rendered and checked once: the file itself or why the hosts refuse it. */
export type CheckedHostConfig =
  | { readonly ok: true; readonly host: HostConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/**
 * Renders the host config `config` gives the hosts of `stack` (no overrides, no KMS key ARN: what
 * the stack ships) and checks it against the host config's rules.
 * @returns the parsed host config, or one problem per rule it breaks, keyed by the stack config key
 *   it comes from, with the host config path in the message
 */
export function checkedHostConfig(stack: string, config: StackConfig): CheckedHostConfig {
  const parsed = parseHostConfig(defaultHostConfig(stack, config));
  if (parsed.ok) return { ok: true, host: parsed.config };
  return {
    ok: false,
    problems: parsed.problems.map((p) => ({
      key: stackKeyOf(p.path),
      value: p.value,
      message: `the hosts would refuse it (host config ${p.path}): ${p.message}`,
    })),
  };
}

/**
 * @returns one problem per host config rule the rendered file breaks (see `checkedHostConfig`);
 *   empty when the hosts accept it
 */
export function hostConfigProblems(config: StackConfig): ConfigProblem[] {
  const checked = checkedHostConfig(VALIDATION_STACK, config);
  return checked.ok ? [] : [...checked.problems];
}
