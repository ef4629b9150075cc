/**
 * Names of the stack's AWS resources that people read in a page, a console or a policy condition
 * (alarms, topic, schedules, rules, queue, dashboard). They follow the SSM documents' pattern
 * (`documentName`), so one prefix finds everything of a stack, and policies can scope by it.
 *
 * Pure module: no Pulumi import.
 */

/** `StellarBackup-prod`: letters, digits and hyphens, valid in every service the stack names. */
export function stackPrefix(stack: string): string {
  return `StellarBackup-${stack}`;
}

/** `StellarBackup-prod-heartbeat-pg-backup`. */
export function stackResourceName(stack: string, key: string): string {
  return `${stackPrefix(stack)}-${key}`;
}
