/**
 * Entry of the policy pack: `pulumi preview --policy-pack policies`.
 *
 * The only place that constructs the `PolicyPack`: its constructor starts the gRPC server the
 * Pulumi CLI talks to, and a second one in the same process exits it. Everything else (the offline
 * runner, the tests) uses `BACKUP_POLICIES` directly.
 */
import { PolicyPack } from "@pulumi/policy";
import { DEFAULT_ENFORCEMENT } from "./lib/define";
import { BACKUP_POLICIES, POLICY_PACK_NAME } from "./policies";

new PolicyPack(POLICY_PACK_NAME, {
  description:
    "Guardrails that keep every stack of stellar-insights-backup able to restore what the runbook promises.",
  enforcementLevel: DEFAULT_ENFORCEMENT,
  policies: BACKUP_POLICIES,
});
