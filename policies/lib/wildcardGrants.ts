/**
 * What makes an Allow statement too broad for a backup stack: every action, every S3 or KMS action,
 * or S3 / KMS actions on every resource. A host or job that can `s3:*` or `kms:*` can also delete the
 * backups or schedule the key's deletion; Deny statements are never a problem.
 */
import type { Statement } from "./policyDocument";

/** Services whose wildcards reach the backups or the key that decrypts them. */
const GUARDED_SERVICES = ["s3", "kms"] as const;

function service(action: string): string {
  return action.toLowerCase().split(":")[0];
}

function isGuarded(action: string): boolean {
  const s = service(action);
  return action === "*" || s === "*" || (GUARDED_SERVICES as readonly string[]).includes(s);
}

function isAllActions(action: string): boolean {
  return action === "*" || service(action) === "*";
}

function isServiceWildcard(action: string): boolean {
  const [s, name] = action.toLowerCase().split(":");
  return (GUARDED_SERVICES as readonly string[]).includes(s) && name === "*";
}

/** `*`, every bucket (`arn:aws:s3:::*`), every key or alias (`arn:aws:kms:…:key/*`). */
export function isWildcardResource(resource: string): boolean {
  if (resource === "*") return true;
  const s3 = /^arn:[^:]+:s3:::(.*)$/.exec(resource);
  if (s3) return s3[1].startsWith("*");
  const kms = /^arn:[^:]+:kms:[^:]*:[^:]*:(.*)$/.exec(resource);
  if (kms) return ["*", "key/*", "alias/*"].includes(kms[1]);
  return false;
}

/** One message per problem found in the statements; empty when none is too broad. */
export function wildcardGrants(statements: readonly Statement[]): string[] {
  const problems: string[] = [];
  for (const s of statements) {
    if (s.effect !== "Allow") continue;
    if (s.notActions !== undefined) {
      problems.push(
        `statement ${s.label} allows every action except ${JSON.stringify(s.notActions)} (Allow with NotAction)`,
      );
    }
    for (const action of s.actions) {
      if (isAllActions(action))
        problems.push(`statement ${s.label} allows every action ('${action}')`);
      else if (isServiceWildcard(action)) problems.push(`statement ${s.label} allows '${action}'`);
    }
    const guarded = s.actions.filter(isGuarded);
    if (guarded.length === 0 && s.notActions === undefined) continue;
    const what = guarded.length > 0 ? guarded.join(", ") : "NotAction";
    for (const resource of s.resources.filter(isWildcardResource)) {
      problems.push(`statement ${s.label} allows ${what} on every resource ('${resource}')`);
    }
    if (s.notResources !== undefined) {
      problems.push(
        `statement ${s.label} allows ${what} on every resource except ${JSON.stringify(s.notResources)} (NotResource)`,
      );
    }
  }
  return problems;
}
