/**
 * The TLS-only statement every resource policy of the stack carries: Deny, to everyone, all of a
 * service's actions, when `aws:SecureTransport` is false. Shared by the bucket and topic policies.
 */
import type { Statement } from "./policyDocument";
import { record } from "./known";

function isEveryone(principal: unknown): boolean {
  if (principal === "*") return true;
  const aws = record(principal)?.AWS;
  return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
}

function deniesWithoutTls(condition: Record<string, unknown>): boolean {
  return ["Bool", "BoolIfExists"].some((operator) => {
    const value = record(condition[operator])?.["aws:SecureTransport"];
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => v === false || v === "false");
  });
}

/** Whether `s` denies every `service` action (`s3`, `sns`) to everyone without TLS. */
export function isTlsDenial(s: Statement, service: string): boolean {
  return (
    s.effect === "Deny" &&
    isEveryone(s.principal) &&
    s.actions.some((a) => a === "*" || a.toLowerCase() === `${service}:*`) &&
    deniesWithoutTls(s.condition)
  );
}
