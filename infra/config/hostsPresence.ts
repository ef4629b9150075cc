/**
 * A stack that names no database host. Pure module.
 *
 * Each host gets its own role (infra/content/aws/hostPolicy.ts): with none, no host can write a
 * backup, and with client-side encryption on the key and the passphrase are granted to no one (the
 * policy pack then refuses the plan with messages about KMS grants, not about hosts). Leaving the
 * key out is allowed while client-side encryption is off, so that the bucket can exist before the
 * first host; writing `hosts: {}` says "these are all the hosts", and there are none.
 */

/** The one message for a stack without hosts. */
export const NO_HOSTS =
  "no hosts: list each database host by the id its S3 keys carry (the host config's hostId, else its short host name), e.g. hosts: {prod-db-1: {}}; without one the stack creates no host role, so no host can write a backup";

/**
 * @param hosts the `hosts` map as written (undefined: the key is absent)
 * @param encrypted whether client-side encryption is on
 * @returns `NO_HOSTS` (with why encryption needs one when it is on) when the stack names no host
 *   but has to, else `undefined`
 */
export function noHostsProblem(
  hosts: Readonly<Record<string, unknown>> | undefined,
  encrypted: boolean,
): string | undefined {
  const none = hosts === undefined || Object.keys(hosts).length === 0;
  if (!none || (hosts === undefined && !encrypted)) return undefined;
  return encrypted
    ? `${NO_HOSTS}, and clientSideEncryption grants its key and passphrase to no one`
    : NO_HOSTS;
}
