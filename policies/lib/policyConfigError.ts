/**
 * A policy pack config the pack cannot run with (an unknown policy, an enforcement level Pulumi
 * does not know, a policy property out of range). Its message lists every problem and is all a
 * person needs: `npm run policy` prints it without a stack trace and exits 2.
 */
export class PolicyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyConfigError";
  }
}
