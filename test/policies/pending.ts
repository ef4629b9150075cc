/**
 * Policies the synthesized prod plan cannot satisfy yet: they need the schedules, alarms and DLM
 * policy that issue 6 (alarms, schedules, snapshots) adds to the program. Until then the prod plan
 * is checked against every other policy, and these are checked on the prod plan completed with
 * fixtures (fixtures/issue6Resources.ts).
 *
 * Integrator: once issue 6 is wired into infra/index.ts, empty this list; the real-plan test then
 * holds the program to all policies.
 */
export const AWAITING_ISSUE_6: readonly string[] = [
  "backup-catalog-jobs-scheduled",
  "backup-catalog-rows-age-alarmed",
  "backup-catalog-jobs-heartbeat-alarmed",
  "backup-snapshot-policy-covers-catalog",
];
